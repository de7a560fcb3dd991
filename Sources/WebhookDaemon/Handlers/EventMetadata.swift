import StripeWebhooks
import WebhookSupport

/// The metadata every handler log line carries, so lines can be joined to the event record.
enum EventMetadata {
    /// `event.id`, `event.type`, `event.livemode` and `event.attempt`.
    static func of(_ event: StripeEvent, context: EventHandlerContext) -> Logger.Metadata {
        [
            "event.id": event.id,
            "event.type": event.type.rawValue,
            "event.livemode": String(event.livemode),
            "event.attempt": String(context.attempt),
        ]
    }
}
