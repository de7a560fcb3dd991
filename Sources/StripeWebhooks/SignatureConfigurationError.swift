/// Why a ``SignatureVerifier`` could not be built from its settings.
public struct SignatureConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The stable string, e.g. `no_secrets`.
        public let rawValue: String

        /// Wraps a reason string.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No secret was configured, so nothing could ever verify.
        public static let noSecrets = Reason(rawValue: "no_secrets")
        /// A configured secret is empty or only whitespace.
        public static let blankSecret = Reason(rawValue: "blank_secret")
        /// The tolerance is zero or negative; turning the check off needs `.disabled` (Stripe rule §2.7).
        public static let invalidTolerance = Reason(rawValue: "invalid_tolerance")

        /// The raw reason string.
        public var description: String { rawValue }
    }

    /// The stable reason.
    public let reason: Reason
    /// A human explanation naming the setting to fix.
    public let message: String

    /// Creates an error with `reason` and a human `message`.
    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    /// `invalid signature configuration (reason): message`.
    public var description: String {
        "invalid signature configuration (\(reason.rawValue)): \(message)"
    }
}
