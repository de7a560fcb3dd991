/// A claimed event handed to a worker: run the handlers not yet succeeded, then report the outcome
/// with `complete`, `retryLater` or `markFailed`.
public struct WorkItem: Sendable, Equatable {
    /// The event to handle.
    public var event: EventRecord
    /// The event's claims so far, this one included, 1-based (counted at claim time, so a crash
    /// mid-attempt still counts; a claim released unstarted at a graceful stop does not).
    public var attempt: Int
    /// Handlers that already succeeded for this event (in its current replay): skip them.
    public var succeededHandlers: Set<String>
    /// Recorded runs of each handler for this event in its current replay: a handler's next attempt
    /// is its count plus one (claims interrupted by a crash run nothing and count nothing here).
    public var handlerRuns: [String: Int]
    /// When the event is stale: the id of a done event about the same object that Stripe created later
    /// (a newer state was already handled; Stripe does not deliver in order).
    public var newerHandledEventID: String?

    /// Creates a work item.
    /// - Parameters:
    ///   - event: the claimed event.
    ///   - attempt: the event's claim count, this claim included.
    ///   - succeededHandlers: handlers that succeeded in the current replay.
    ///   - handlerRuns: recorded runs per handler in the current replay.
    ///   - newerHandledEventID: a later-created done event about the same object, when there is one.
    public init(
        event: EventRecord, attempt: Int, succeededHandlers: Set<String>, handlerRuns: [String: Int] = [:],
        newerHandledEventID: String? = nil
    ) {
        self.event = event
        self.attempt = attempt
        self.succeededHandlers = succeededHandlers
        self.handlerRuns = handlerRuns
        self.newerHandledEventID = newerHandledEventID
    }

    /// Whether a newer event about the same object was handled first.
    public var isStale: Bool { newerHandledEventID != nil }

    /// The attempt a run of `handler` would be: its recorded runs in this replay plus one, but never
    /// more than the event's claims (`attempt`), which restart from zero when an operator requeues a
    /// failed event: its failed handlers then get their attempts afresh.
    public func attempt(of handler: String) -> Int { min((handlerRuns[handler] ?? 0) + 1, max(attempt, 1)) }
}
