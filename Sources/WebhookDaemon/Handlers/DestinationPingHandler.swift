import StripeWebhooks
import WebhookSupport

/// Built-in handler for `v2.core.event_destination.ping`, the thin event Stripe sends when a
/// destination is created or tested in Workbench: logs which destination reached the daemon.
struct DestinationPingHandler: EventHandler {
    /// The ping's event type.
    static let type: EventType = "v2.core.event_destination.ping"
    /// The handler's name in logs and in the event record.
    let name = "builtin.event_destination.ping"
    /// Where the line goes.
    let logger: Logger

    /// Logs "Event destination ping" with the destination's id (`related_object.id`, `ed_…`).
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        logger.info("Event destination ping: this destination reaches the daemon", metadata: EventMetadata.of(event, context: context).merging([
            "event_destination.id": event.thin?.relatedObject?.id ?? "-",
        ]) { $1 })
    }
}
