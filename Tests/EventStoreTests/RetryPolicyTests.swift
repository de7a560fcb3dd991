import EventStore
import Testing

@Suite struct RetryPolicyTests {
    @Test func defaults_areTenAttemptsFromOneSecondDoublingToOneHour() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 10)
        #expect(policy.initialDelay == 1_000)
        #expect(policy.maxDelay == 3_600_000)
        #expect(policy.multiplier == 2)
    }

    @Test(arguments: [
        (1, Int64(1_000)), (2, 2_000), (3, 4_000), (10, 512_000), (12, 2_048_000), (13, 3_600_000), (64, 3_600_000), (10_000, 3_600_000),
        (0, 1_000), (-3, 1_000),
    ])
    func baseDelay_doublesPerAttempt_andStopsAtTheCap(attempt: Int, expected: Int64) {
        #expect(RetryPolicy().baseDelay(afterAttempt: attempt) == expected)
    }

    @Test func jitter_takesAtMostItsFractionOff_andSpreadsTheDelays() {
        let policy = RetryPolicy(jitter: 0.2)
        var generator = SeededGenerator(seed: 42)
        let delays = (0..<500).map { _ in policy.delay(afterAttempt: 3, using: &generator) }
        #expect(delays.allSatisfy { (3_200...4_000).contains($0) })
        #expect(Set(delays).count > 100, "jittered delays should spread out")
        #expect((0..<100).allSatisfy { _ in policy.delay(afterAttempt: 40) <= 3_600_000 }, "never past the cap")
    }

    @Test func noJitter_givesTheBaseDelay() {
        let policy = RetryPolicy(initialDelay: 250, maxDelay: 10_000, multiplier: 3, jitter: 0)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [250, 750, 2_250, 6_750, 10_000])
    }

    @Test func shouldRetry_untilTheLastAttempt() {
        let policy = RetryPolicy(maxAttempts: 3)
        #expect(policy.shouldRetry(afterAttempt: 1))
        #expect(policy.shouldRetry(afterAttempt: 2))
        #expect(!policy.shouldRetry(afterAttempt: 3))
    }

    @Test func nonsenseSettings_areClamped() {
        let policy = RetryPolicy(maxAttempts: 0, initialDelay: -5, maxDelay: -1, multiplier: 0.5, jitter: 7)
        #expect(policy.maxAttempts == 1)
        #expect(policy.initialDelay == 0)
        #expect(policy.maxDelay == 0)
        #expect(policy.multiplier == 1)
        #expect(policy.jitter == 1)
        #expect(policy.delay(afterAttempt: 5) == 0)
    }
}
