/// The recursive-descent reader behind ``JSONParser``: one pass over the bytes, no backtracking.
struct JSONReader {
    /// The document.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The nesting limit.
    let maximumDepth: Int
    /// Object member names leading to the value whose byte range is wanted; empty for none.
    let capturePath: [String]
    /// The byte range of the value at `capturePath`, once read.
    private(set) var captured: Range<Int>?
    /// The next byte to read.
    private var index = 0
    /// Containers currently open.
    private var depth = 0
    /// Reused buffer for strings with escapes.
    private var scratch: [UInt8] = []

    /// Creates a reader; nothing is read until ``readDocument()``.
    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int, capturePath: [String]) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.capturePath = capturePath
    }

    /// Reads exactly one value surrounded by optional whitespace (RFC 8259 §2).
    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure(.emptyDocument, at: index, "the document is empty")
        }
        let value = try readValue(pathPosition: capturePath.isEmpty ? nil : 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw failure(.trailingCharacters, at: index, "unexpected data after the JSON value")
        }
        return value
    }

    /// Reads any value; `pathPosition` is how much of `capturePath` leads here, or nil if it does not.
    private mutating func readValue(pathPosition: Int?) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends where a value was expected")
        }
        switch bytes[index] {
        case ASCII.openBrace:
            return try readObject(pathPosition: pathPosition)
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
            return try readNumber()
        default:
            throw failure(.unexpectedCharacter, at: index, "expected a JSON value")
        }
    }

    /// Reads `{ ... }` (RFC 8259 §4).
    private mutating func readObject(pathPosition: Int?) throws(JSONParseError) -> JSONValue {
        try open()
        var object = JSONObject()
        skipWhitespace()
        if peek() == ASCII.closeBrace {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw failure(.unexpectedEnd, at: index, "the document ends inside an object")
            }
            guard bytes[index] == ASCII.quote else {
                throw failure(.unexpectedCharacter, at: index, "expected a member name in double quotes")
            }
            let keyOffset = index
            let key = try readString()
            skipWhitespace()
            guard index < bytes.count else {
                throw failure(.unexpectedEnd, at: index, "the document ends inside an object")
            }
            guard bytes[index] == ASCII.colon else {
                throw failure(.unexpectedCharacter, at: index, "expected ':' after a member name")
            }
            index += 1
            skipWhitespace()
            var childPosition: Int?
            if let pathPosition, capturePath[pathPosition] == key {
                childPosition = pathPosition + 1
            }
            let value: JSONValue
            if childPosition == capturePath.count {
                let start = index
                value = try readValue(pathPosition: nil)
                captured = start..<index
            } else {
                value = try readValue(pathPosition: childPosition)
            }
            guard object.insertNew(key, value) else {
                throw failure(.duplicateKey, at: keyOffset, "the object has two members with the same name")
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw failure(.unexpectedEnd, at: index, "the document ends inside an object")
            }
            switch bytes[index] {
            case ASCII.comma:
                index += 1
            case ASCII.closeBrace:
                index += 1
                depth -= 1
                return .object(object)
            default:
                throw failure(.unexpectedCharacter, at: index, "expected ',' or '}' in an object")
            }
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
            elements.append(try readValue(pathPosition: nil))
            skipWhitespace()
            guard index < bytes.count else {
                throw failure(.unexpectedEnd, at: index, "the document ends inside an array")
            }
            switch bytes[index] {
            case ASCII.comma:
                index += 1
            case ASCII.closeBracket:
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw failure(.unexpectedCharacter, at: index, "expected ',' or ']' in an array")
            }
        }
    }

    /// Steps over an opening bracket or brace, enforcing the nesting limit.
    private mutating func open() throws(JSONParseError) {
        depth += 1
        guard depth <= maximumDepth else {
            throw failure(.tooDeep, at: index, "arrays and objects are nested more than \(maximumDepth) deep")
        }
        index += 1
    }

    /// Reads `true`, `false` or `null` exactly.
    private mutating func readLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            index + count <= bytes.count && (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else {
            throw failure(.unexpectedCharacter, at: index, "expected a JSON value")
        }
        index += count
    }

    /// Reads a number (RFC 8259 §6): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var position = index
        if bytes[position] == ASCII.minus { position += 1 }
        guard position < bytes.count, ASCII.isDigit(bytes[position]) else {
            throw failure(.invalidNumber, at: position, "expected a digit in a number")
        }
        if bytes[position] == ASCII.zero {
            position += 1
            if position < bytes.count, ASCII.isDigit(bytes[position]) {
                throw failure(.invalidNumber, at: position, "numbers must not have leading zeros")
            }
        } else {
            while position < bytes.count, ASCII.isDigit(bytes[position]) { position += 1 }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == ASCII.dot {
            isInteger = false
            position += 1
            guard position < bytes.count, ASCII.isDigit(bytes[position]) else {
                throw failure(.invalidNumber, at: position, "expected a digit after the decimal point")
            }
            while position < bytes.count, ASCII.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == ASCII.plus || bytes[position] == ASCII.minus {
                position += 1
            }
            guard position < bytes.count, ASCII.isDigit(bytes[position]) else {
                throw failure(.invalidNumber, at: position, "expected a digit in the exponent")
            }
            while position < bytes.count, ASCII.isDigit(bytes[position]) { position += 1 }
        }
        index = position
        let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if isInteger, let integer = Self.integer(text) {
            return .int(integer)
        }
        // Integers beyond Int64 and all fractions go through the standard library's correctly rounded,
        // locale-independent conversion.
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw failure(.numberOutOfRange, at: start, "the number is too large")
        }
        return .double(value)
    }

    /// The value of an optionally negative run of digits, or nil if it does not fit in `Int64`.
    private static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = text[0] == ASCII.minus
        var value: Int64 = 0
        for byte in text[(negative ? 1 : 0)...] {
            let digit = Int64(byte &- ASCII.zero)
            // Accumulate towards the sign so that Int64.min fits.
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
        }
        return value
    }

    /// Reads a string (RFC 8259 §7), starting at its opening quote.
    private mutating func readString() throws(JSONParseError) -> String {
        let start = index + 1
        var position = start
        var asciiOnly = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == ASCII.quote {
                index = position + 1
                return try makeString(UnsafeBufferPointer(rebasing: bytes[start..<position]),
                                      asciiOnly: asciiOnly, offset: start)
            }
            if byte == ASCII.backslash {
                return try readEscapedString(start: start, firstEscape: position)
            }
            if byte < 0x20 {
                throw failure(.controlCharacterInString, at: position, "raw control character in a string")
            }
            if byte >= 0x80 { asciiOnly = false }
            position += 1
        }
        throw failure(.unexpectedEnd, at: position, "the document ends inside a string")
    }

    /// Finishes a string that has at least one escape, decoding into `scratch`.
    private mutating func readEscapedString(start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var position = firstEscape
        var asciiOnly = true
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case ASCII.quote:
                index = position + 1
                let decoded = scratch
                return try decoded.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try makeString(buffer, asciiOnly: asciiOnly, offset: start)
                }
            case ASCII.backslash:
                position = try readEscape(at: position)
            case 0..<0x20:
                throw failure(.controlCharacterInString, at: position, "raw control character in a string")
            default:
                if byte >= 0x80 { asciiOnly = false }
                scratch.append(byte)
                position += 1
            }
        }
        throw failure(.unexpectedEnd, at: position, "the document ends inside a string")
    }

    /// Decodes the escape at `position` into `scratch` and returns the position after it.
    private mutating func readEscape(at position: Int) throws(JSONParseError) -> Int {
        guard position + 1 < bytes.count else {
            throw failure(.unexpectedEnd, at: position + 1, "the document ends inside an escape")
        }
        let simple: UInt8
        switch bytes[position + 1] {
        case ASCII.quote: simple = ASCII.quote
        case ASCII.backslash: simple = ASCII.backslash
        case ASCII.slash: simple = ASCII.slash
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): return try readUnicodeEscape(at: position)
        default:
            throw failure(.invalidEscape, at: position, "invalid escape sequence in a string")
        }
        scratch.append(simple)
        return position + 2
    }

    /// Decodes `\uXXXX`, or a `\uD8xx\uDCxx` surrogate pair, into UTF-8 (RFC 8259 §7).
    private mutating func readUnicodeEscape(at position: Int) throws(JSONParseError) -> Int {
        let first = try hexQuad(at: position + 2)
        var scalar = UInt32(first)
        var end = position + 6
        switch first {
        case 0xD800...0xDBFF:
            guard end + 1 < bytes.count, bytes[end] == ASCII.backslash, bytes[end + 1] == UInt8(ascii: "u") else {
                throw failure(.unpairedSurrogate, at: position, "a high surrogate escape is not followed by a low one")
            }
            let second = try hexQuad(at: end + 2)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw failure(.unpairedSurrogate, at: end, "a high surrogate escape is not followed by a low one")
            }
            scalar = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            end += 6
        case 0xDC00...0xDFFF:
            throw failure(.unpairedSurrogate, at: position, "a low surrogate escape without a high one")
        default:
            break
        }
        // Unicode.Scalar cannot fail here: surrogates were handled above.
        for unit in UTF8.encode(Unicode.Scalar(scalar)!)! {
            scratch.append(unit)
        }
        return end
    }

    /// The value of four hex digits at `position`.
    private func hexQuad(at position: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            guard position + offset < bytes.count else {
                throw failure(.unexpectedEnd, at: bytes.count, "the document ends inside a \\u escape")
            }
            guard let nibble = HexEncoding.nibble(bytes[position + offset]) else {
                throw failure(.invalidEscape, at: position + offset, "a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(nibble)
        }
        return value
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

    /// Skips JSON whitespace: space, tab, line feed, carriage return (RFC 8259 §2).
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The byte at the read position, or nil at the end.
    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    /// An error at `offset`, with its line and column computed (only ever on the failure path).
    private func failure(_ kind: JSONParseError.Kind, at offset: Int, _ detail: String) -> JSONParseError {
        var line = 1
        var lineStart = 0
        for position in 0..<min(offset, bytes.count) where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return JSONParseError(kind: kind, offset: offset, line: line, column: offset - lineStart + 1, detail: detail)
    }
}
