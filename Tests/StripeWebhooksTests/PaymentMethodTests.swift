import Testing
@testable import StripeWebhooks

/// The PaymentMethod view.
struct PaymentMethodTests {
    @Test func attached_hasCustomerAndCard() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("payment_method.attached"))
        let method = try #require(event.object(as: PaymentMethod.self))
        #expect(method.id == "pm_1Pgc75B7WZ01zgkWlHVgdEGJ")
        #expect(method.type == "card")
        #expect(method.customer == "cus_QXg1o8vcGmoR32")
        #expect(method.cardBrand == "visa")
        #expect(method.cardLast4 == "4242")
    }

    @Test func nonCardMethod_hasNoCardFields() throws {
        let json = try JSONParser().parse(#"{"object":"payment_method","id":"pm_2","type":"sepa_debit","customer":null}"#)
        let method = try #require(PaymentMethod(json: json))
        #expect(method.type == "sepa_debit")
        #expect(method.customer == nil)
        #expect(method.cardBrand == nil)
        #expect(method.cardLast4 == nil)
    }

    @Test func paymentIntentSample_isNotAPaymentMethod() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("payment_intent.succeeded"))
        #expect(event.object(as: PaymentMethod.self) == nil)
    }
}
