import WebhookSupport

/// Slows password guessing: a client address with `maxFailures` failed sign-ins within `windowMillis`
/// gets 429 until the window has passed. Each attempt already costs a PBKDF2 derivation (0.3 s of CPU
/// at the default rounds), so this also bounds what a guesser can make the daemon compute.
final class SignInThrottle: Sendable {
    /// Failed sign-ins allowed per address and window. Default 10.
    static let maxFailures = 10
    /// The window, in ms. Default 5 minutes.
    static let windowMillis: Int64 = 300_000
    /// Addresses remembered at most; the stalest go first. Default 10,000.
    static let maxAddresses = 10_000

    /// Failures by address: count and when the first of the window happened.
    private let failures = LockedValue<[String: (count: Int, since: Int64)]>([:])

    /// Whether `address` may try now.
    func allows(_ address: String, now: Int64) -> Bool {
        failures.withLock { failures in
            guard let entry = failures[address] else { return true }
            if now - entry.since >= Self.windowMillis {
                failures[address] = nil
                return true
            }
            return entry.count < Self.maxFailures
        }
    }

    /// Counts a failed sign-in from `address`.
    func recordFailure(_ address: String, now: Int64) {
        failures.withLock { failures in
            if failures.count >= Self.maxAddresses {
                failures = failures.filter { now - $0.value.since < Self.windowMillis }
                if failures.count >= Self.maxAddresses, let stalest = failures.min(by: { $0.value.since < $1.value.since })?.key {
                    failures[stalest] = nil
                }
            }
            if let entry = failures[address], now - entry.since < Self.windowMillis {
                failures[address] = (entry.count + 1, entry.since)
            } else {
                failures[address] = (1, now)
            }
        }
    }

    /// Forgets `address`'s failures after it signed in.
    func reset(_ address: String) {
        failures.withLock { $0[address] = nil }
    }
}
