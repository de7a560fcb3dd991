/// A strict RFC 8259 JSON parser over raw UTF-8 bytes.
///
/// Strict means: exactly one value with optional surrounding whitespace; no trailing commas, comments,
/// single quotes, `NaN`/`Infinity`, leading zeros or `+` signs; only the escapes of §7, with `\u` surrogates
/// paired; no raw control characters in strings; strings must be valid UTF-8; no byte-order mark; no
/// duplicate member names (policy: a receiver and a re-reader of the same bytes must never disagree on
/// which value counts). Nesting deeper than ``maximumDepth`` is rejected before it can exhaust the stack.
public struct JSONParser: Sendable {
    /// The default nesting limit: 128 arrays/objects.
    public static let defaultMaximumDepth = 128

    /// The deepest nesting of arrays and objects accepted; the top-level container is depth 1.
    public let maximumDepth: Int

    /// Creates a parser with a nesting limit.
    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        precondition(maximumDepth >= 1, "JSONParser.maximumDepth must be at least 1")
        self.maximumDepth = maximumDepth
    }

    /// Parses a complete JSON document.
    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { run($0) }.get()
    }

    /// Parses a complete JSON document held in raw memory.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        try run(bytes.assumingMemoryBound(to: UInt8.self)).get()
    }

    /// Parses a complete JSON document given as text.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { run($0) }.get()
    }

    /// Runs a reader over `bytes`.
    private func run(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var reader = JSONReader(bytes: bytes, maximumDepth: maximumDepth)
        do {
            return .success(try reader.readDocument())
        } catch {
            return .failure(error)
        }
    }
}
