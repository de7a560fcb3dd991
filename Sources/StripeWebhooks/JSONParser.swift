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
        try parse(bytes, capturing: []).value
    }

    /// Parses a complete JSON document held in raw memory.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        try run(bytes.assumingMemoryBound(to: UInt8.self), capturing: []).get().value
    }

    /// Parses a complete JSON document given as text.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { run($0, capturing: []) }.get().value
    }

    /// Parses `bytes` and also reports the byte range of the value at `path` (object member names only).
    ///
    /// The range covers the value exactly as written, from its first to its last byte, without the
    /// whitespace around it; it is nil when the path does not exist.
    func parse(
        _ bytes: [UInt8],
        capturing path: [String]
    ) throws(JSONParseError) -> (value: JSONValue, captured: Range<Int>?) {
        try bytes.withUnsafeBufferPointer { run($0, capturing: path) }.get()
    }

    /// Runs a reader over `bytes`.
    private func run(
        _ bytes: UnsafeBufferPointer<UInt8>,
        capturing path: [String]
    ) -> Result<(value: JSONValue, captured: Range<Int>?), JSONParseError> {
        var reader = JSONReader(bytes: bytes, maximumDepth: maximumDepth, capturePath: path)
        do {
            let value = try reader.readDocument()
            return .success((value, reader.captured))
        } catch {
            return .failure(error)
        }
    }
}
