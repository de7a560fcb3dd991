/// The recursive-descent reader behind ``JSONParser`` and event decoding: one pass over the bytes, no
/// backtracking. It either builds values (`readValue`) or only checks them (`skipValue`, in
/// `JSONReader+Skipping.swift`); both apply exactly the same rules and report the same first error.
struct JSONReader {
    /// The document.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The nesting limit.
    let maximumDepth: Int
    /// The next byte to read.
    var index = 0
    /// Containers currently open.
    var depth = 0
    /// Reused buffer for strings with escapes.
    var scratch: [UInt8] = []
    /// Names of the members of the objects being walked, innermost object last (duplicate checks).
    var walkedNames: [MemberName] = []
    /// Decoded bytes of walked member names that had escapes.
    var nameArena: [UInt8] = []

    /// Creates a reader; nothing is read until asked.
    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// Reads exactly one value surrounded by optional whitespace (RFC 8259 §2).
    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        try startDocument()
        let value = try readValue()
        try finishDocument()
        return value
    }

    /// Skips leading whitespace; fails on an empty document.
    mutating func startDocument() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure(.emptyDocument, at: index, "the document is empty")
        }
    }

    /// Skips trailing whitespace; fails if anything else follows the value.
    mutating func finishDocument() throws(JSONParseError) {
        skipWhitespace()
        guard index == bytes.count else {
            throw failure(.trailingCharacters, at: index, "unexpected data after the JSON value")
        }
    }

    /// Reads any value.
    mutating func readValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends where a value was expected")
        }
        switch bytes[index] {
        case ASCII.openBrace:
            return try readObject()
        case ASCII.openBracket:
            return try readArray()
        case ASCII.quote:
            return .string(try readString())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        case ASCII.minus, ASCII.zero...ASCII.nine:
            let number = try scanNumber()
            return try numberValue(number)
        default:
            throw failure(.unexpectedCharacter, at: index, "expected a JSON value")
        }
    }

    /// Reads `{ ... }` (RFC 8259 §4).
    private mutating func readObject() throws(JSONParseError) -> JSONValue {
        try open()
        var object = JSONObject()
        skipWhitespace()
        if peek() == ASCII.closeBrace {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            let keyOffset = try expectMemberName()
            let (key, fingerprint) = try readMemberName()
            try expectColon()
            let value = try readValue()
            guard object.insertNew(key, fingerprint: fingerprint, value) else {
                throw failure(.duplicateKey, at: keyOffset, "the object has two members with the same name")
            }
            if try endOfObject() { return .object(object) }
        }
    }

    /// Reads `[ ... ]` (RFC 8259 §5).
    private mutating func readArray() throws(JSONParseError) -> JSONValue {
        try open()
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == ASCII.closeBracket {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue())
            if try endOfArray() { return .array(elements) }
        }
    }

    /// Reads a member name and its fingerprint for ``JSONObject``, from the bytes it was made of.
    private mutating func readMemberName() throws(JSONParseError) -> (String, UInt64) {
        let start = index + 1
        let name = try readString()
        // Without escapes the name's bytes are the document's, just before the closing quote.
        if index - 1 - start == name.utf8.count {
            return (name, JSONObject.fingerprint(UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])))
        }
        return (name, JSONObject.fingerprint(name))
    }

    /// Reads a string (RFC 8259 §7), starting at its opening quote.
    private mutating func readString() throws(JSONParseError) -> String {
        let start = index + 1
        var position = start
        var asciiOnly = true
        while true {
            position = plainRunEnd(from: position)
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == ASCII.quote {
                index = position + 1
                return try makeString(UnsafeBufferPointer(rebasing: bytes[start..<position]), asciiOnly: asciiOnly, offset: start)
            }
            if byte == ASCII.backslash {
                let asciiOnly = try readEscapedString(start: start, firstEscape: position, asciiSoFar: asciiOnly)
                let decoded = scratch
                return try decoded.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try makeString(buffer, asciiOnly: asciiOnly, offset: start)
                }
            }
            if byte < 0x20 {
                throw failure(.controlCharacterInString, at: position, "raw control character in a string")
            }
            if byte >= 0x80 { asciiOnly = false }
            position += 1
        }
        throw failure(.unexpectedEnd, at: position, "the document ends inside a string")
    }

    /// Makes a `String` from UTF-8 bytes, rejecting ill-formed UTF-8 (RFC 8259 §8.1).
    private func makeString(_ utf8: UnsafeBufferPointer<UInt8>, asciiOnly: Bool, offset: Int) throws(JSONParseError) -> String {
        if asciiOnly {
            return String(decoding: utf8, as: UTF8.self)
        }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw failure(.invalidUTF8, at: offset, "a string is not valid UTF-8")
        }
        return string
    }
}
