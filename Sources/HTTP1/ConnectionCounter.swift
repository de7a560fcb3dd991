import Synchronization

/// The number of open connections across every event loop, and the cap on it.
final class ConnectionCounter: Sendable {
    /// The most connections allowed at once.
    let limit: Int
    /// Connections open now.
    private let count = Atomic<Int>(0)

    /// Creates a counter capped at `limit`.
    init(limit: Int) { self.limit = limit }

    /// Connections open now.
    var value: Int { count.load(ordering: .relaxed) }

    /// Counts one more connection unless the cap is reached; false when it is.
    func tryIncrement() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Counts one connection less.
    func decrement() {
        count.subtract(1, ordering: .relaxed)
    }
}
