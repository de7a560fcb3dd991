import StripeWebhooks
import WebhookSupport

/// Built-in handler for `charge.dispute.created`: a warning, because a dispute has a response deadline.
struct DisputeCreatedHandler: EventHandler {
    /// The handler's name in logs and in the event record.
    let name = "builtin.charge.dispute.created"
    /// Where the line goes.
    let logger: Logger

    /// Logs a warning with the dispute's id, amount, currency, reason and charge.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        let dispute = Dispute(json: event.data.object)
        logger.warning("Dispute created: respond before the evidence deadline", metadata: EventMetadata.of(event, context: context).merging([
            "dispute.id": dispute?.id ?? "-",
            "dispute.amount": dispute?.amount.map { String($0) } ?? "-",
            "dispute.currency": dispute?.currency ?? "-",
            "dispute.reason": dispute?.reason ?? "-",
            "dispute.charge": dispute?.charge ?? "-",
        ]) { $1 })
    }
}
