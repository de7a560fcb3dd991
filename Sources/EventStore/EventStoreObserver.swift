/// Told about every transaction the store's writer ends, for metrics. Called on the writer thread
/// right after COMMIT or ROLLBACK: it must be quick and must not call the store.
public protocol EventStoreObserver: Sendable {
    /// A batch of `size` writes was committed (`succeeded`) or rolled back, `duration` after BEGIN.
    func batchEnded(size: Int, duration: Duration, succeeded: Bool)
}
