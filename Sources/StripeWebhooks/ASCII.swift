/// The ASCII bytes the JSON grammar (RFC 8259 §2) is written in.
enum ASCII {
    /// `{`, begin-object.
    static let openBrace = UInt8(ascii: "{")
    /// `}`, end-object.
    static let closeBrace = UInt8(ascii: "}")
    /// `[`, begin-array.
    static let openBracket = UInt8(ascii: "[")
    /// `]`, end-array.
    static let closeBracket = UInt8(ascii: "]")
    /// `"`, the string delimiter.
    static let quote = UInt8(ascii: "\"")
    /// `\`, the escape character.
    static let backslash = UInt8(ascii: "\\")
    /// `/`, which may be escaped.
    static let slash = UInt8(ascii: "/")
    /// `:`, the name separator.
    static let colon = UInt8(ascii: ":")
    /// `,`, the value separator.
    static let comma = UInt8(ascii: ",")
    /// `-`, a number's sign.
    static let minus = UInt8(ascii: "-")
    /// `+`, an exponent's sign.
    static let plus = UInt8(ascii: "+")
    /// `.`, the decimal point.
    static let dot = UInt8(ascii: ".")
    /// `0`.
    static let zero = UInt8(ascii: "0")
    /// `9`.
    static let nine = UInt8(ascii: "9")

    /// Whether `byte` is `0`–`9`.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- zero < 10
    }
}
