import StripeWebhooks
import WebhookSupport

/// The handlers the daemon always has, registered by the event types they handle.
enum BuiltinHandlers {
    /// Registers the built-in handlers on `router`.
    static func register(on router: inout EventRouter, logger: Logger) throws {
        router.register(PaymentIntentSucceededHandler(logger: logger), for: [try EventPattern("payment_intent.succeeded")])
        router.register(PaymentMethodAttachedHandler(logger: logger), for: [try EventPattern("payment_method.attached")])
        router.register(DisputeCreatedHandler(logger: logger), for: [try EventPattern("charge.dispute.created")])
        router.register(BalanceAvailableHandler(logger: logger), for: [try EventPattern("balance.available")])
        router.register(InvoiceEventHandler(logger: logger), for: [try EventPattern("invoice.*")])
        router.register(DestinationPingHandler(logger: logger), for: [try EventPattern(DestinationPingHandler.type.rawValue)])
    }
}
