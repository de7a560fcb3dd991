import StripeWebhooks
import WebhookSupport

/// Built-in handler for every `invoice.*` event: logs the invoice's state and amounts.
struct InvoiceEventHandler: EventHandler {
    /// The handler's name in logs and in the event record.
    let name = "builtin.invoice"
    /// Where the line goes.
    let logger: Logger

    /// Logs "Invoice event" with the id, status, number (drafts have none) and amounts.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        let invoice = Invoice(json: event.data.object)
        var metadata = EventMetadata.of(event, context: context)
        // invoice.upcoming carries no id, and a draft has no number: log only what is there.
        if let id = invoice?.id { metadata["invoice.id"] = id }
        if let status = invoice?.status { metadata["invoice.status"] = status }
        if let number = invoice?.number { metadata["invoice.number"] = number }
        if let currency = invoice?.currency { metadata["invoice.currency"] = currency }
        if let due = invoice?.amountDue { metadata["invoice.amount_due"] = String(due) }
        if let paid = invoice?.amountPaid { metadata["invoice.amount_paid"] = String(paid) }
        if let remaining = invoice?.amountRemaining { metadata["invoice.amount_remaining"] = String(remaining) }
        logger.info("Invoice event \(event.type)", metadata: metadata)
    }
}
