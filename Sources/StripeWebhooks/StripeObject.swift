/// A typed, read-only view of one kind of Stripe resource found in an event's `data.object`.
///
/// Views are lenient by design, because a resource's fields may be absent or null depending on its state
/// (Stripe rule §3): every field is optional and reads as nil when absent, null or of an unexpected JSON
/// type. `init?(json:)` returns nil only when the value is not a JSON object whose `object` field equals
/// ``objectType``.
public protocol StripeObject: Sendable {
    /// The resource's `object` value, e.g. `payment_intent`.
    static var objectType: String { get }

    /// Reads the view from `json`; nil when it is not an object of kind ``objectType``.
    init?(json: JSONValue)
}

extension StripeObject {
    /// The members of `json` when it is an object whose `object` field is `objectType`.
    static func members(of json: JSONValue) -> JSONObject? {
        guard case .object(let members) = json, members["object"]?.stringValue == objectType else { return nil }
        return members
    }
}

extension JSONObject {
    /// The member `key` when it is a string.
    func string(_ key: String) -> String? {
        self[key]?.stringValue
    }

    /// The member `key` when it is an integer.
    func int64(_ key: String) -> Int64? {
        self[key]?.int64Value
    }

    /// The id in an expandable field: the string itself, or the `id` of an expanded object.
    func expandableID(_ key: String) -> String? {
        switch self[key] {
        case .string(let id)?: id
        case .object(let expanded)?: expanded.string("id")
        default: nil
        }
    }

    /// The member `key` as a string-to-string map (Stripe `metadata`), skipping non-string values.
    func stringMap(_ key: String) -> [String: String] {
        guard case .object(let members)? = self[key] else { return [:] }
        var map: [String: String] = [:]
        for (name, value) in members {
            if let string = value.stringValue { map[name] = string }
        }
        return map
    }
}
