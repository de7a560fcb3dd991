import StripeWebhooks
import WebhookSupport

/// Built-in handler for `balance.available`: logs the available amount in each currency.
struct BalanceAvailableHandler: EventHandler {
    /// The handler's name in logs and in the event record.
    let name = "builtin.balance.available"
    /// Where the line goes.
    let logger: Logger

    /// Logs "Balance available" with `balance.available` as `100 usd, 250 eur`.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        let balance = Balance(json: event.data.object)
        let amounts = (balance?.available ?? []).map { "\($0.amount) \($0.currency)" }.joined(separator: ", ")
        logger.info("Balance available", metadata: EventMetadata.of(event, context: context).merging([
            "balance.available": amounts.isEmpty ? "none" : amounts,
        ]) { $1 })
    }
}
