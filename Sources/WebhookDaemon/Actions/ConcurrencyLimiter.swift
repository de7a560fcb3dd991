import Foundation

/// Lets at most `limit` callers run at once; the others wait on their (worker) thread.
final class ConcurrencyLimiter: @unchecked Sendable {
    // @unchecked: `running` is guarded by `condition`.
    /// Most runs at once.
    let limit: Int
    private let condition = NSCondition()
    private var running = 0

    /// A limiter admitting `limit` at once.
    init(limit: Int) { self.limit = max(1, limit) }

    /// Waits for a free slot, runs `body` and frees the slot.
    func withPermit<Value>(_ body: () -> Value) -> Value {
        condition.lock()
        while running >= limit { condition.wait() }
        running += 1
        condition.unlock()
        defer {
            condition.lock()
            running -= 1
            condition.signal()
            condition.unlock()
        }
        return body()
    }
}
