import Testing
@testable import WebhookDaemon

/// Password guessing from one address is cut off after `maxFailures` within the window, for that
/// address only, and comes back when the window has passed or after a successful sign-in.
@Suite struct SignInThrottleTests {
    @Test func tenFailuresInTheWindow_stopOneAddress_untilTheWindowPasses() {
        let throttle = SignInThrottle()
        for attempt in 0..<SignInThrottle.maxFailures {
            #expect(throttle.allows("203.0.113.9", now: 1_000 + Int64(attempt)), "attempt \(attempt + 1)")
            throttle.recordFailure("203.0.113.9", now: 1_000 + Int64(attempt))
        }
        #expect(!throttle.allows("203.0.113.9", now: 2_000))
        #expect(throttle.allows("198.51.100.1", now: 2_000), "another address is not affected")
        #expect(!throttle.allows("203.0.113.9", now: 1_000 + SignInThrottle.windowMillis - 1))
        #expect(throttle.allows("203.0.113.9", now: 1_000 + SignInThrottle.windowMillis))
    }

    @Test func aSuccessfulSignIn_forgetsTheFailures() {
        let throttle = SignInThrottle()
        for _ in 0..<SignInThrottle.maxFailures - 1 { throttle.recordFailure("::1", now: 0) }
        throttle.reset("::1")
        for _ in 0..<SignInThrottle.maxFailures - 1 { throttle.recordFailure("::1", now: 1) }
        #expect(throttle.allows("::1", now: 2))
    }
}
