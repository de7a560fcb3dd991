/// When a failed event is tried again: exponential back-off with jitter, up to a number of attempts,
/// after which the event is a dead letter. Durations are milliseconds, like every store time.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; after the last failure the event is failed. Default 10.
    public var maxAttempts: Int
    /// Delay after the first failure, ms. Default 1 s.
    public var initialDelay: Int64
    /// The longest delay, ms. Default 1 h.
    public var maxDelay: Int64
    /// Growth of the delay per failed attempt. Default 2.
    public var multiplier: Double
    /// Fraction of the delay taken off at random (0 … 1), so that retries of events that failed
    /// together spread out. Default 0.2: a delay lands in [80 %, 100 %] of its base, never past `maxDelay`.
    public var jitter: Double

    /// Creates a policy.
    /// - Parameters:
    ///   - maxAttempts: attempts in all before the event is failed.
    ///   - initialDelay: delay after the first failure, ms.
    ///   - maxDelay: cap on any delay, ms.
    ///   - multiplier: growth per failed attempt.
    ///   - jitter: random fraction taken off each delay, 0 … 1.
    public init(
        maxAttempts: Int = 10, initialDelay: Int64 = 1_000, maxDelay: Int64 = 3_600_000,
        multiplier: Double = 2, jitter: Double = 0.2
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = max(0, initialDelay)
        self.maxDelay = max(self.initialDelay, maxDelay)
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
    }

    /// Whether a failed attempt number `attempt` (1-based) earns another try.
    public func shouldRetry(afterAttempt attempt: Int) -> Bool { attempt < maxAttempts }

    /// The delay before the next try after attempt `attempt` failed, without jitter:
    /// `initialDelay × multiplier^(attempt − 1)`, capped at `maxDelay`.
    public func baseDelay(afterAttempt attempt: Int) -> Int64 {
        let exponent = Double(max(1, attempt) - 1)
        let grown = Double(initialDelay) * power(multiplier, exponent)
        return grown >= Double(maxDelay) ? maxDelay : Int64(grown)
    }

    /// The delay before the next try after attempt `attempt` failed, with jitter from the system generator.
    public func delay(afterAttempt attempt: Int) -> Int64 {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// The delay before the next try after attempt `attempt` failed, with jitter from `generator`.
    public func delay<Generator: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout Generator) -> Int64 {
        let base = baseDelay(afterAttempt: attempt)
        let spread = Int64(Double(base) * jitter)
        guard spread > 0 else { return base }
        return base - Int64.random(in: 0...spread, using: &generator)
    }

    /// `base^exponent` for a whole, non-negative exponent, saturating at infinity.
    private func power(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0, result.isFinite {
            result *= base
            remaining -= 1
            if result > 1e18 { return .infinity }
        }
        return result
    }
}
