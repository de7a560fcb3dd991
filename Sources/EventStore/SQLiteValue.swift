/// A value bound to a statement parameter.
enum SQLiteValue {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// UTF-8 text.
    case text(String)
    /// Bytes, stored exactly.
    case blob([UInt8])

    /// Text, or NULL for `nil`.
    static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    /// An integer, or NULL for `nil`.
    static func optionalInteger(_ value: Int64?) -> SQLiteValue { value.map { .integer($0) } ?? .null }
    /// An `Int` as a 64-bit integer.
    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }
    /// A Boolean as 0 or 1.
    static func bool(_ value: Bool) -> SQLiteValue { .integer(value ? 1 : 0) }
}
