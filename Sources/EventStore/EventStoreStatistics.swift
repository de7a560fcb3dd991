/// Counters about the store's write path since it was opened, for tests and metrics.
public struct EventStoreStatistics: Sendable, Equatable {
    /// Transactions committed by the writer (one per group commit).
    public var committedBatches = 0
    /// Transactions rolled back because the store could not write; every caller in them got an error.
    public var failedBatches = 0
    /// Events newly stored.
    public var storedEvents = 0
    /// Inserts that found the id already stored.
    public var duplicateEvents = 0
    /// Other writes (claims, outcomes, requeues, prunes) committed.
    public var operations = 0
    /// The most jobs (inserts and other writes) committed in one transaction.
    public var largestBatch = 0

    /// All counters at zero.
    public init() {}
}
