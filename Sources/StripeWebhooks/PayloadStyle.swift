/// The two payload styles of Stripe's event destinations (Stripe rule §5): snapshot events carry the
/// object as it was (`"object": "event"`), thin events only a reference to it (`"object": "v2.core.event"`).
/// A destination sends one style, signed with its own secret.
public enum PayloadStyle: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `"object": "event"`: the v1 Event object with `data.object`.
    case snapshot
    /// `"object": "v2.core.event"`: an unversioned envelope with `related_object`.
    case thin

    /// The top-level `object` value a body of this style has.
    public var objectValue: String {
        switch self {
        case .snapshot: "event"
        case .thin: ThinEvent.objectValue
        }
    }

    /// `snapshot` or `thin`.
    public var description: String { rawValue }

    /// The style of a stored or received body, judged by its top-level `object`; nil when the body is
    /// not a JSON object or its `object` is neither style's.
    public static func of(_ body: [UInt8]) -> PayloadStyle? {
        guard case .object(let members)? = try? JSONParser().parse(body) else { return nil }
        switch members["object"]?.stringValue {
        case "event"?: return .snapshot
        case ThinEvent.objectValue?: return .thin
        default: return nil
        }
    }
}
