/// A snapshot of how much work the store holds, for metrics and `events list` headers.
public struct EventStoreSummary: Sendable, Equatable {
    /// Events per status; every status is present.
    public var counts: [EventStatus: Int]
    /// Pending events a worker holds right now.
    public var claimed: Int
    /// When the oldest pending event was received (Unix ms), if any is pending.
    public var oldestPendingReceivedAt: Int64?

    /// Creates a summary.
    public init(counts: [EventStatus: Int], claimed: Int, oldestPendingReceivedAt: Int64?) {
        var complete = counts
        for status in EventStatus.allCases where complete[status] == nil { complete[status] = 0 }
        self.counts = complete
        self.claimed = claimed
        self.oldestPendingReceivedAt = oldestPendingReceivedAt
    }

    /// Events waiting for handlers, claimed or not.
    public var pending: Int { counts[.pending] ?? 0 }
}
