import StripeWebhooks

/// An ``EventHandler`` that reports what it did, so that the dispatcher keeps its output (a program's
/// stdout and stderr, a forward's response) with each attempt for `events show`.
protocol ReportingEventHandler: EventHandler {
    /// Handles `event` and reports the outcome instead of throwing.
    func run(_ event: StripeEvent, context: EventHandlerContext) -> HandlerReport
}

extension ReportingEventHandler {
    /// Runs the handler and throws its failure, for callers that know only ``EventHandler``.
    func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        if let failure = run(event, context: context).failure { throw HandlerFailure(description: failure) }
    }
}
