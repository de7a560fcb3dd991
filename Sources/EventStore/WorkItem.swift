/// A claimed event handed to a worker: run the handlers not yet succeeded, then report the outcome
/// with `complete`, `retryLater` or `markFailed`.
public struct WorkItem: Sendable, Equatable {
    /// The event to handle.
    public var event: EventRecord
    /// The attempt about to run, 1-based (counted at claim time, so a crash mid-attempt still counts).
    public var attempt: Int
    /// Handlers that already succeeded for this event (in its current replay): skip them.
    public var succeededHandlers: Set<String>

    /// Creates a work item.
    public init(event: EventRecord, attempt: Int, succeededHandlers: Set<String>) {
        self.event = event
        self.attempt = attempt
        self.succeededHandlers = succeededHandlers
    }
}
