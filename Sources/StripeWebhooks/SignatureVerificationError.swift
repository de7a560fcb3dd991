/// Why a `Stripe-Signature` header did not verify (Stripe rule §2.9); safe to log and to answer with.
///
/// No message ever contains the expected signature, a secret, or the header itself.
public struct SignatureVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable failure reason.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The stable string, e.g. `signature_mismatch`.
        public let rawValue: String

        /// Wraps a reason string.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The header is absent, empty, or only whitespace.
        public static let missingHeader = Reason(rawValue: "missing_header")
        /// The header has no usable `t` item (absent, not 1–19 digits, or two different values).
        public static let malformedHeader = Reason(rawValue: "malformed_header")
        /// The header has a valid `t` but no `v1` item (other schemes such as `v0` are ignored).
        public static let noV1Signature = Reason(rawValue: "no_v1_signature")
        /// No `v1` value equals the expected signature under any configured secret.
        public static let signatureMismatch = Reason(rawValue: "signature_mismatch")
        /// The signature matched but `t` is farther from now than the tolerance allows.
        public static let timestampOutOfTolerance = Reason(rawValue: "timestamp_out_of_tolerance")

        /// The raw reason string.
        public var description: String { rawValue }
    }

    /// The stable reason.
    public let reason: Reason
    /// A human explanation of what was wrong with the header.
    public let message: String

    /// Creates an error with `reason` and a human `message`.
    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    /// `signature verification failed (reason): message`.
    public var description: String {
        "signature verification failed (\(reason.rawValue)): \(message)"
    }
}
