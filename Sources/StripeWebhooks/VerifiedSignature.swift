/// What a successful verification established: when Stripe signed the payload and with which secret.
public struct VerifiedSignature: Sendable, Hashable {
    /// The header's `t`, Unix seconds.
    public let timestamp: Int64
    /// The position, in the verifier's `secrets`, of the first secret that produced a matching `v1`.
    public let secretIndex: Int
    /// That secret's label, if it has one.
    public let secretLabel: String?

    /// Creates a verification result.
    public init(timestamp: Int64, secretIndex: Int, secretLabel: String?) {
        self.timestamp = timestamp
        self.secretIndex = secretIndex
        self.secretLabel = secretLabel
    }
}
