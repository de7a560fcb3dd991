import StripeWebhooks

/// What a configured handler does with an event: run a command or forward it over HTTP. Actions block
/// their worker thread until done or timed out, and never throw: the report says how it went.
protocol HandlerAction: Sendable {
    /// Acts on `event`, whose raw body is `context.body`.
    func perform(_ event: StripeEvent, context: EventHandlerContext) -> HandlerReport
}
