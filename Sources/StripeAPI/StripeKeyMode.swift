/// Which Stripe mode an API key belongs to, read from its prefix (`sk_test_`, `rk_live_`, …).
public enum StripeKeyMode: String, Sendable, Equatable {
    /// A sandbox (test mode) key: `sk_test_` or `rk_test_`.
    case test
    /// A live mode key: `sk_live_` or `rk_live_`.
    case live

    /// The mode of a secret (`sk_`) or restricted (`rk_`) key; `nil` for anything else (a publishable
    /// `pk_` key, a typo), which the API would refuse.
    public init?(key: String) {
        for kind in ["sk_", "rk_"] {
            if key.hasPrefix(kind + "test_") { self = .test; return }
            if key.hasPrefix(kind + "live_") { self = .live; return }
        }
        return nil
    }

    /// Whether an object with this `livemode` flag belongs to this key's mode.
    public func matches(livemode: Bool) -> Bool { livemode == (self == .live) }
}
