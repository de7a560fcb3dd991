import StripeWebhooks
import WebhookSupport

/// Built-in handler for `payment_intent.succeeded`: logs the payment, as Stripe's sample receiver does.
struct PaymentIntentSucceededHandler: EventHandler {
    /// The handler's name in logs and in the event record.
    let name = "builtin.payment_intent.succeeded"
    /// Where the line goes.
    let logger: Logger

    /// Logs "PaymentIntent was successful!" with the intent's id, amount and currency.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        // Only the three logged fields (and `object`, to know it is a PaymentIntent) are built: building
        // the whole `data.object` tree to log them was about 7 % of a loaded daemon's CPU (issue 17).
        let members = event.data.objectMembers(named: ["object", "id", "amount", "currency"])
        let isIntent = members["object"]?.stringValue == PaymentIntent.objectType
        logger.info("PaymentIntent was successful!", metadata: EventMetadata.of(event, context: context).merging([
            "payment_intent.id": (isIntent ? members["id"]?.stringValue : nil) ?? "-",
            "payment_intent.amount": (isIntent ? members["amount"]?.int64Value.map { String($0) } : nil) ?? "-",
            "payment_intent.currency": (isIntent ? members["currency"]?.stringValue : nil) ?? "-",
        ]) { $1 })
    }
}
