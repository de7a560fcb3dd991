/// A stored event with its handling state and handler history, as operators see it.
public struct StoredEvent: Sendable, Equatable {
    /// The event as received.
    public var record: EventRecord
    /// Position in the order events were stored: breaks ties of `created` among events about one object.
    public var sequence: Int64
    /// Pending, done or failed.
    public var status: EventStatus
    /// Attempts started since it was stored or last requeued.
    public var attempts: Int
    /// When a pending event becomes due again (Unix ms); `nil` means due now.
    public var nextAttemptAt: Int64?
    /// The last failure, if any.
    public var lastError: String?
    /// When the handling state last changed, Unix milliseconds.
    public var updatedAt: Int64
    /// How many times an operator forced a done event to run again.
    public var replay: Int
    /// The store instance whose worker holds the event, while one does.
    public var claimedBy: String?
    /// When that claim lapses if its holder stops renewing it (Unix ms).
    public var claimExpiresAt: Int64?
    /// Every recorded handler run, oldest first.
    public var handlers: [HandlerRun]

    /// Creates a stored event.
    /// - Parameters:
    ///   - record: the event as received.
    ///   - sequence: its position in the store order.
    ///   - status: its status.
    ///   - attempts: attempts started.
    ///   - nextAttemptAt: when it is due again, if it waits.
    ///   - lastError: the last failure.
    ///   - updatedAt: last state change.
    ///   - replay: forced replays so far.
    ///   - claimedBy: the claim holder, if claimed.
    ///   - claimExpiresAt: the claim's expiry, if claimed.
    ///   - handlers: handler runs, oldest first.
    public init(
        record: EventRecord, sequence: Int64, status: EventStatus, attempts: Int, nextAttemptAt: Int64?,
        lastError: String?, updatedAt: Int64, replay: Int, claimedBy: String?, claimExpiresAt: Int64?,
        handlers: [HandlerRun]
    ) {
        self.record = record
        self.sequence = sequence
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.updatedAt = updatedAt
        self.replay = replay
        self.claimedBy = claimedBy
        self.claimExpiresAt = claimExpiresAt
        self.handlers = handlers
    }

    /// Whether a worker currently holds the event.
    public var isClaimed: Bool { claimedBy != nil }
}
