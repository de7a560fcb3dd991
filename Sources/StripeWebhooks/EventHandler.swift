/// Something that acts on events of the types it is registered for in an ``EventRouter``.
///
/// `handle` is synchronous and may block: the daemon calls it on its own worker threads, never on
/// Swift's cooperative pool. Throwing marks this handler's attempt as failed; the event will be retried.
/// Handlers must tolerate duplicates and any order (Stripe rule §3).
public protocol EventHandler: Sendable {
    /// A stable name for logs and for recording which handlers succeeded; unique within a router.
    var name: String { get }

    /// Acts on `event`; throws to report failure.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws
}
