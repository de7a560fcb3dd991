import StripeWebhooks
import WebhookSupport

/// Built-in handler for `payment_method.attached`: logs which customer got which payment method.
struct PaymentMethodAttachedHandler: EventHandler {
    /// The handler's name in logs and in the event record.
    let name = "builtin.payment_method.attached"
    /// Where the line goes.
    let logger: Logger

    /// Logs "PaymentMethod was attached to a Customer!" with the method's id and customer.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        let method = PaymentMethod(json: event.data.object)
        logger.info("PaymentMethod was attached to a Customer!", metadata: EventMetadata.of(event, context: context).merging([
            "payment_method.id": method?.id ?? "-",
            "payment_method.customer": method?.customer ?? "-",
        ]) { $1 })
    }
}
