/// A JSON value (RFC 8259 §3), as produced by ``JSONParser``.
///
/// Numbers without a fraction or exponent that fit in `Int64` are `.int`; every other number is `.double`.
/// Objects keep their members' order; equality ignores it, as JSON objects are unordered (RFC 8259 §4).
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer that fits in `Int64`.
    case int(Int64)
    /// Any other number (with a fraction or exponent, or beyond `Int64`).
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object(JSONObject)

    /// The member named `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` when this is an array and the index is in range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The integer, when this is an integer (a `.double` such as `1.0` does not count).
    public var int64Value: Int64? {
        guard case .int(let value) = self else { return nil }
        return value
    }

    /// The number as a `Double`, when this is any number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The Boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        guard case .array(let value) = self else { return nil }
        return value
    }

    /// The members, when this is an object.
    public var objectValue: JSONObject? {
        guard case .object(let value) = self else { return nil }
        return value
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Follows a dotted path such as `data.object.id` or `lines.data.0.id`; nil if any step is missing.
    ///
    /// A segment selects an object member by name, or an array element when it is a decimal index.
    /// Member names that contain `.` need ``lookup(components:)``.
    public func lookup(_ path: String) -> JSONValue? {
        var current = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = current.step(String(segment)) else { return nil }
            current = next
        }
        return current
    }

    /// Follows `components` one member name or array index at a time; nil if any step is missing.
    public func lookup(components: [String]) -> JSONValue? {
        var current = self
        for component in components {
            guard let next = current.step(component) else { return nil }
            current = next
        }
        return current
    }

    /// One path step: a member of an object, or an element of an array by decimal index.
    private func step(_ component: String) -> JSONValue? {
        switch self {
        case .object(let object):
            return object[component]
        case .array(let elements):
            guard let index = Int(component), elements.indices.contains(index) else { return nil }
            return elements[index]
        default:
            return nil
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A string literal becomes `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal becomes `.int`.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A float literal becomes `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `true`/`false` become `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal becomes `.array`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal becomes `.object`, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}
