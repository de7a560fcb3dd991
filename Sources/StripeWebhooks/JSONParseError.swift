/// Where and why a document is not valid JSON (RFC 8259) or exceeds a parser limit.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The stable string, e.g. `unexpected_character`.
        public let rawValue: String

        /// Wraps a kind string.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The document is empty or only whitespace.
        public static let emptyDocument = Kind(rawValue: "empty_document")
        /// The document ends inside a value.
        public static let unexpectedEnd = Kind(rawValue: "unexpected_end")
        /// A byte that cannot start or continue a value here.
        public static let unexpectedCharacter = Kind(rawValue: "unexpected_character")
        /// Bytes after the top-level value (RFC 8259 §2: one value per text).
        public static let trailingCharacters = Kind(rawValue: "trailing_characters")
        /// A number outside the RFC 8259 §6 grammar (leading zeros, missing digits, ...).
        public static let invalidNumber = Kind(rawValue: "invalid_number")
        /// A number too large for a `Double`.
        public static let numberOutOfRange = Kind(rawValue: "number_out_of_range")
        /// A backslash escape RFC 8259 §7 does not define.
        public static let invalidEscape = Kind(rawValue: "invalid_escape")
        /// A `\u` escape for an unpaired UTF-16 surrogate.
        public static let unpairedSurrogate = Kind(rawValue: "unpaired_surrogate")
        /// A raw control character (U+0000–U+001F) inside a string (RFC 8259 §7).
        public static let controlCharacterInString = Kind(rawValue: "control_character_in_string")
        /// A string that is not well-formed UTF-8 (RFC 8259 §8.1).
        public static let invalidUTF8 = Kind(rawValue: "invalid_utf8")
        /// An object with two members of the same name (policy: rejected; RFC 8259 §4 leaves it undefined).
        public static let duplicateKey = Kind(rawValue: "duplicate_key")
        /// Arrays and objects nested deeper than the parser's limit.
        public static let tooDeep = Kind(rawValue: "too_deep")

        /// The raw kind string.
        public var description: String { rawValue }
    }

    /// What went wrong.
    public let kind: Kind
    /// Zero-based byte offset of the offending byte.
    public let offset: Int
    /// One-based line of the offending byte.
    public let line: Int
    /// One-based column, in bytes, of the offending byte.
    public let column: Int
    /// A short explanation that never quotes the document.
    public let detail: String

    /// Creates an error at an explicit position.
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - offset: Zero-based byte offset.
    ///   - line: One-based line.
    ///   - column: One-based column in bytes.
    ///   - detail: A short explanation.
    public init(kind: Kind, offset: Int, line: Int, column: Int, detail: String) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
        self.detail = detail
    }

    /// `<detail> at line L, column C (byte offset O)`.
    public var description: String {
        "\(detail) at line \(line), column \(column) (byte offset \(offset))"
    }
}
