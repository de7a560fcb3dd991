import Testing
@testable import StripeWebhooks

/// Event type values.
struct EventTypeTests {
    @Test(arguments: Samples.names)
    func sampleType_roundTripsThroughItsString(_ name: String) throws {
        let event = try StripeEvent.decode(from: try Samples.bytes(name))
        #expect(event.type.rawValue == name)
        #expect(event.type == EventType(rawValue: name))
        #expect(event.type.description == name)
    }

    @Test func staticNames_matchStripeStrings() {
        let pairs: [(EventType, String)] = [
            (.invoicePaid, "invoice.paid"), (.chargeDisputeCreated, "charge.dispute.created"),
            (.customerSubscriptionDeleted, "customer.subscription.deleted"),
            (.paymentIntentPaymentFailed, "payment_intent.payment_failed"),
            (.checkoutSessionCompleted, "checkout.session.completed"), (.balanceAvailable, "balance.available"),
        ]
        for (type, string) in pairs {
            #expect(type.rawValue == string)
        }
        let literal: EventType = "invoice.upcoming"
        #expect(literal == .invoiceUpcoming)
        #expect(EventType.customerSubscriptionDeleted.resource == "customer.subscription")
    }
}
