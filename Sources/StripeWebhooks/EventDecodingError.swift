/// Why a verified body is not a Stripe event this receiver can accept: a snapshot event (Stripe rule §3)
/// on a snapshot endpoint, a thin event (§5) on a thin endpoint.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable failure reason.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The stable string, e.g. `missing_id`.
        public let rawValue: String

        /// Wraps a reason string.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The body is not valid JSON; the message gives the line, column and byte offset.
        public static let invalidJSON = Reason(rawValue: "invalid_json")
        /// The body is JSON but not an object.
        public static let notAnObject = Reason(rawValue: "not_an_object")
        /// The object's `object` is missing or is not the endpoint's style (`event`, or `v2.core.event` on a thin endpoint).
        public static let notAnEvent = Reason(rawValue: "not_an_event")
        /// A thin event (`v2.core.event`), which belongs on its own endpoint (Stripe rule §3).
        public static let thinEvent = Reason(rawValue: "thin_event")
        /// A snapshot event (`event`) posted to a thin-event endpoint, where it does not belong (Stripe rule §5).
        public static let snapshotEvent = Reason(rawValue: "snapshot_event")
        /// No `id` (or a null one).
        public static let missingID = Reason(rawValue: "missing_id")
        /// No `type` (or a null one).
        public static let missingType = Reason(rawValue: "missing_type")
        /// No `data.object`.
        public static let missingData = Reason(rawValue: "missing_data")
        /// Another required field (`created`, `livemode`) is absent; ``EventDecodingError/field`` names it.
        public static let missingField = Reason(rawValue: "missing_field")
        /// A field has the wrong JSON type or an empty value; ``EventDecodingError/field`` names it.
        public static let invalidField = Reason(rawValue: "invalid_field")

        /// The raw reason string.
        public var description: String { rawValue }
    }

    /// The stable reason.
    public let reason: Reason
    /// A human explanation.
    public let message: String
    /// The dotted name of the offending field, for `missing_field` and `invalid_field`.
    public let field: String?

    /// Creates an error.
    /// - Parameters:
    ///   - reason: The stable reason.
    ///   - message: A human explanation.
    ///   - field: The offending field's dotted name, if one is to blame.
    public init(reason: Reason, message: String, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }

    /// `event decoding failed (reason): message`.
    public var description: String {
        "event decoding failed (\(reason.rawValue)): \(message)"
    }
}
