import StripeWebhooks

/// A handler from the config file: its name and patterns, its action, and the settings the
/// dispatcher applies around it (attempts, dedupe key); it holds the action to `max_concurrency` runs.
final class ConfiguredHandler: ReportingEventHandler {
    /// The configured name.
    let name: String
    /// The event type patterns it takes.
    let patterns: [EventPattern]
    /// What it does.
    let action: any HandlerAction
    /// Attempts before the event is a dead letter; `nil`: the global retry policy's.
    let maxAttempts: Int?
    /// The business key it runs once per, if any.
    let dedupeKey: DedupeKey?
    /// Holds runs to `max_concurrency` across workers.
    let limiter: ConcurrencyLimiter
    /// Whether a stale event is recorded as skipped instead of run (`skip_stale`).
    let skipStale: Bool

    /// Creates a handler.
    /// - Parameters:
    ///   - name: its unique name.
    ///   - patterns: the event types it takes.
    ///   - action: what it does.
    ///   - maxAttempts: its attempts, or `nil` for the global policy.
    ///   - dedupeKey: its business key, if any.
    ///   - limiter: its concurrency limit (kept across reloads while unchanged).
    init(name: String, patterns: [EventPattern], action: any HandlerAction, maxAttempts: Int?, dedupeKey: DedupeKey?, limiter: ConcurrencyLimiter, skipStale: Bool = false) {
        self.name = name
        self.patterns = patterns
        self.action = action
        self.maxAttempts = maxAttempts
        self.dedupeKey = dedupeKey
        self.limiter = limiter
        self.skipStale = skipStale
    }

    /// Runs the action once a concurrency slot is free.
    func run(_ event: StripeEvent, context: EventHandlerContext) -> HandlerReport {
        limiter.withPermit { action.perform(event, context: context) }
    }
}
