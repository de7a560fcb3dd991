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
        let intent = PaymentIntent(json: event.data.object)
        logger.info("PaymentIntent was successful!", metadata: EventMetadata.of(event, context: context).merging([
            "payment_intent.id": intent?.id ?? "-",
            "payment_intent.amount": intent?.amount.map { String($0) } ?? "-",
            "payment_intent.currency": intent?.currency ?? "-",
        ]) { $1 })
    }
}
