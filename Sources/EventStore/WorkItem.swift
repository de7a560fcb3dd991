/// A claimed event handed to a worker: run the handlers not yet succeeded, then report the outcome
/// with `complete`, `retryLater` or `markFailed`.
public struct WorkItem: Sendable, Equatable {
    /// The event to handle.
    public var event: EventRecord
    /// The attempt about to run, 1-based (counted at claim time, so a crash mid-attempt still counts).
    public var attempt: Int
    /// Handlers that already succeeded for this event (in its current replay): skip them.
    public var succeededHandlers: Set<String>
    /// When the event is stale: the id of a done event about the same object that Stripe created later
    /// (a newer state was already handled; Stripe does not deliver in order).
    public var newerHandledEventID: String?

    /// Creates a work item.
    /// - Parameters:
    ///   - event: the event.
    ///   - attempt: the attempt about to run.
    ///   - succeededHandlers: handlers to skip.
    ///   - newerHandledEventID: a later-created done event about the same object, when there is one.
    public init(event: EventRecord, attempt: Int, succeededHandlers: Set<String>, newerHandledEventID: String? = nil) {
        self.event = event
        self.attempt = attempt
        self.succeededHandlers = succeededHandlers
        self.newerHandledEventID = newerHandledEventID
    }

    /// Whether a newer event about the same object was handled first.
    public var isStale: Bool { newerHandledEventID != nil }
}
