/// The pieces of the grammar that building and skipping share, so that both accept and reject exactly
/// the same documents, with the same first error.
extension JSONReader {
    /// The extent of a number token, once its syntax is checked.
    struct NumberToken {
        /// Its first byte.
        let start: Int
        /// Just past its last byte.
        let end: Int
        /// No fraction and no exponent.
        let isInteger: Bool
    }

    // MARK: Structure

    /// Steps over an opening bracket or brace, enforcing the nesting limit.
    mutating func open() throws(JSONParseError) {
        depth += 1
        guard depth <= maximumDepth else {
            throw failure(.tooDeep, at: index, "arrays and objects are nested more than \(maximumDepth) deep")
        }
        index += 1
    }

    /// Skips whitespace before a member name and checks that one starts here; returns its offset.
    @inline(__always)
    mutating func expectMemberName() throws(JSONParseError) -> Int {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends inside an object")
        }
        guard bytes[index] == ASCII.quote else {
            throw failure(.unexpectedCharacter, at: index, "expected a member name in double quotes")
        }
        return index
    }

    /// Steps over the `:` after a member name and the whitespace around it.
    @inline(__always)
    mutating func expectColon() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends inside an object")
        }
        guard bytes[index] == ASCII.colon else {
            throw failure(.unexpectedCharacter, at: index, "expected ':' after a member name")
        }
        index += 1
        skipWhitespace()
    }

    /// After a member's value: steps over `,` (false: another member follows) or `}` (true: closed).
    @inline(__always)
    mutating func endOfObject() throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends inside an object")
        }
        switch bytes[index] {
        case ASCII.comma:
            index += 1
            return false
        case ASCII.closeBrace:
            index += 1
            depth -= 1
            return true
        default:
            throw failure(.unexpectedCharacter, at: index, "expected ',' or '}' in an object")
        }
    }

    /// After an element: steps over `,` (false: another element follows) or `]` (true: closed).
    @inline(__always)
    mutating func endOfArray() throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends inside an array")
        }
        switch bytes[index] {
        case ASCII.comma:
            index += 1
            return false
        case ASCII.closeBracket:
            index += 1
            depth -= 1
            return true
        default:
            throw failure(.unexpectedCharacter, at: index, "expected ',' or ']' in an array")
        }
    }

    /// Reads `true`, `false` or `null` exactly.
    mutating func readLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        var matches = index + count <= bytes.count
        if matches {
            matches = literal.withUTF8Buffer { expected in
                // Four bytes at once, then the fifth of `false`.
                let head = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt32.self)
                let wanted = UnsafeRawPointer(expected.baseAddress!).loadUnaligned(as: UInt32.self)
                return head == wanted && (count == 4 || bytes[index + 4] == expected[4])
            }
        }
        guard matches else {
            throw failure(.unexpectedCharacter, at: index, "expected a JSON value")
        }
        index += count
    }

    // MARK: Numbers

    /// Checks a number's syntax (RFC 8259 §6): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
    /// and steps over it.
    mutating func scanNumber() throws(JSONParseError) -> NumberToken {
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
        return NumberToken(start: start, end: position, isInteger: isInteger)
    }

    /// The value of a scanned number: `.int` when it is an integer that fits in `Int64`, else a finite `.double`.
    func numberValue(_ number: NumberToken) throws(JSONParseError) -> JSONValue {
        let text = UnsafeBufferPointer(rebasing: bytes[number.start..<number.end])
        if number.isInteger, let integer = Self.integer(text) {
            return .int(integer)
        }
        // Integers beyond Int64 and all fractions go through the standard library's correctly rounded,
        // locale-independent conversion.
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw failure(.numberOutOfRange, at: number.start, "the number is too large")
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

    // MARK: Strings

    /// Finishes a string that has at least one escape, decoding all of it into `scratch`; returns
    /// whether the decoded bytes are all ASCII. `asciiSoFar` says whether the bytes before the first
    /// escape were.
    mutating func readEscapedString(start: Int, firstEscape: Int, asciiSoFar: Bool) throws(JSONParseError) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var position = firstEscape
        var asciiOnly = asciiSoFar
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case ASCII.quote:
                index = position + 1
                return asciiOnly
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

    /// The position of the first byte from `position` on that ends a run of plain string content: a
    /// quote, a backslash, a control character or a non-ASCII byte; `bytes.count` if there is none.
    /// Looks at eight bytes at a time.
    @inline(__always)
    func plainRunEnd(from position: Int) -> Int {
        var position = position
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            while position &+ 8 <= bytes.count {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                let quotes = word ^ (ones &* UInt64(ASCII.quote))
                let backslashes = word ^ (ones &* UInt64(ASCII.backslash))
                // (v - 0x01…) & ~v has the top bit of a byte set where v's byte is zero (0x20… instead of
                // 0x01…: below 0x20), exactly for every byte up to the first match; `word` itself flags
                // non-ASCII bytes. Little-endian: the lowest flagged byte is the first special one.
                let special = (((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                    | ((word &- ones &* 0x20) & ~word) | word) & 0x8080_8080_8080_8080
                if special != 0 { return position &+ special.trailingZeroBitCount >> 3 }
                position &+= 8
            }
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 || byte >= 0x80 { return position }
            position &+= 1
        }
        return position
    }

    // MARK: Position and errors

    /// Skips JSON whitespace: space, tab, line feed, carriage return (RFC 8259 §2). Runs of spaces
    /// (the indentation of pretty-printed bodies like Stripe's) go up to eight at a time.
    @inline(__always)
    mutating func skipWhitespace() {
        var position = index
        let count = bytes.count
        // Most calls find no whitespace at all.
        guard position < count, bytes[position] <= 0x20 else { return }
        while position < count {
            let byte = bytes[position]
            if byte == 0x20, position &+ 8 <= count, let base = bytes.baseAddress {
                let others = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self) ^ 0x2020_2020_2020_2020
                // Little-endian: the lowest non-zero byte is the first that is not a space.
                position &+= others == 0 ? 8 : others.trailingZeroBitCount >> 3
            } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                position &+= 1
            } else {
                break
            }
        }
        index = position
    }

    /// The byte at the read position, or nil at the end.
    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    /// An error at `offset`, with its line and column computed (only ever on the failure path).
    func failure(_ kind: JSONParseError.Kind, at offset: Int, _ detail: String) -> JSONParseError {
        var line = 1
        var lineStart = 0
        for position in 0..<min(offset, bytes.count) where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return JSONParseError(kind: kind, offset: offset, line: line, column: offset - lineStart + 1, detail: detail)
    }
}
