import Testing
@testable import StripeWebhooks

/// The PaymentIntent view over the samples and over sparse objects.
struct PaymentIntentTests {
    @Test func succeeded_hasAmountsChargeAndMethod() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("payment_intent.succeeded"))
        let intent = try #require(event.object(as: PaymentIntent.self))
        #expect(intent.id == "pi_1PgafyB7WZ01zgkWSjxsAJo3")
        #expect(intent.amount == 100)
        #expect(intent.amountReceived == 100)
        #expect(intent.currency == "usd")
        #expect(intent.status == "succeeded")
        #expect(intent.customer == "cus_QXg1o8vcGmoR32")
        #expect(intent.paymentMethod == "pm_1Pgc75B7WZ01zgkWlHVgdEGJ")
        #expect(intent.latestCharge == "ch_1PgafuB7WZ01zgkWXYmPNZs8")
        #expect(intent.lastPaymentErrorCode == nil)
        #expect(intent.metadata.isEmpty)
    }

    @Test func paymentFailed_hasNoMethodAndADeclineCode() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("payment_intent.payment_failed"))
        let intent = try #require(event.object(as: PaymentIntent.self))
        #expect(intent.status == "requires_payment_method")
        #expect(intent.amountReceived == 0)
        #expect(intent.paymentMethod == nil)
        #expect(intent.latestCharge == "ch_1PgcF9B7WZ01zgkWghaN166L")
        #expect(intent.lastPaymentErrorCode == "card_declined")
    }

    @Test func expandedAndOddFields_areReadLeniently() throws {
        let json = try JSONParser().parse(#"""
            {"object":"payment_intent","id":"pi_1","amount":"100","customer":{"id":"cus_1","object":"customer"},
             "metadata":{"order":"42","count":3},"status":null}
            """#)
        let intent = try #require(PaymentIntent(json: json))
        #expect(intent.amount == nil)
        #expect(intent.customer == "cus_1")
        #expect(intent.metadata == ["order": "42"])
        #expect(intent.status == nil)
    }

    @Test(arguments: [#"{"object":"charge","id":"ch_1"}"#, #"{"id":"pi_1"}"#, #"["payment_intent"]"#, "null"])
    func otherJSON_isNotAPaymentIntent(_ text: String) throws {
        #expect(PaymentIntent(json: try JSONParser().parse(text)) == nil)
    }
}
