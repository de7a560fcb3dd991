/// A statement parameter for PostgreSQL: sent as text, except bytes, which go in binary (no escaping,
/// no copy into hex).
enum PostgreSQLValue: Sendable {
    /// A text value.
    case text(String)
    /// A 64-bit integer, sent in decimal.
    case integer(Int64)
    /// A boolean, sent as `t` or `f`.
    case bool(Bool)
    /// A `bytea` value, sent in binary.
    case bytes([UInt8])
    /// SQL NULL.
    case null

    /// An `Int` parameter.
    static func int(_ value: Int) -> PostgreSQLValue { .integer(Int64(value)) }

    /// A text parameter or NULL.
    static func optionalText(_ value: String?) -> PostgreSQLValue { value.map { .text($0) } ?? .null }

    /// An integer parameter or NULL.
    static func optionalInteger(_ value: Int64?) -> PostgreSQLValue { value.map { .integer($0) } ?? .null }

    /// A `text[]` parameter in array-literal form (bind it as `$n::text[]`).
    static func textArray(_ values: [String]) -> PostgreSQLValue {
        let quoted = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return .text("{" + quoted.joined(separator: ",") + "}")
    }

    /// The bytes libpq sends (text values NUL-terminated) and whether they are binary.
    var wire: (bytes: [UInt8], binary: Bool)? {
        switch self {
        case .text(let text): (Array(text.utf8) + [0], false)
        case .integer(let value): (Array(String(value).utf8) + [0], false)
        case .bool(let value): (value ? [UInt8(ascii: "t"), 0] : [UInt8(ascii: "f"), 0], false)
        case .bytes(let bytes): (bytes, true)
        case .null: nil
        }
    }
}
