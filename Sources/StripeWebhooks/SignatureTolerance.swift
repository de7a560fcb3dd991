/// How far a `Stripe-Signature` timestamp may be from now, in either direction (Stripe rule §2.7).
public enum SignatureTolerance: Sendable, Hashable, CustomStringConvertible {
    /// Reject when `|now - t|` exceeds this many seconds; must be positive.
    case seconds(Int64)
    /// No timestamp check at all: replays are accepted forever. Must be chosen explicitly and logged loudly.
    case disabled

    /// Stripe's and every SDK's default: 300 seconds.
    public static let standard = SignatureTolerance.seconds(300)

    /// `300s` or `disabled`.
    public var description: String {
        switch self {
        case .seconds(let seconds): "\(seconds)s"
        case .disabled: "disabled"
        }
    }
}
