/// Byte classes and small scanners from the ABNF of RFC 9110 §5.6 and RFC 9112, shared by the
/// decoder and the response encoder.
enum HTTPSyntax {
    /// Carriage return.
    static let cr: UInt8 = 0x0D
    /// Line feed.
    static let lf: UInt8 = 0x0A
    /// Space.
    static let space: UInt8 = 0x20
    /// Horizontal tab.
    static let tab: UInt8 = 0x09
    /// `:` between a field name and its value.
    static let colon: UInt8 = 0x3A

    /// Whether `byte` is a `tchar` (RFC 9110 §5.6.2): what methods, field names and codings are made of.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        // ! # $ % & ' * + - . ^ _ ` | ~
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    /// Whether `byte` may appear in a request-target (RFC 9112 §3.2 via RFC 3986): unreserved,
    /// sub-delims, `:` `@` `/` `?`, `%` (checked for two hex digits by the caller), and `[` `]` for
    /// IP literals. Anything else (`"` `<` `>` `\` `^` `` ` `` `{` `|` `}`, spaces, controls, non-ASCII) is refused.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        // - . _ ~ ! $ & ' ( ) * + , ; = : @ / ? % [ ]
        case 0x2D, 0x2E, 0x5F, 0x7E, 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D,
             0x3A, 0x40, 0x2F, 0x3F, 0x25, 0x5B, 0x5D: true
        default: false
        }
    }

    /// Whether `byte` may appear in a `Host` value, `uri-host [ ":" port ]` (RFC 9110 §7.2).
    @inline(__always)
    static func isHostByte(_ byte: UInt8) -> Bool {
        isTargetByte(byte) && byte != UInt8(ascii: "@") && byte != UInt8(ascii: "/") && byte != UInt8(ascii: "?")
    }

    /// Whether `byte` may appear inside a field value (RFC 9110 §5.5: VCHAR, obs-text, SP, HTAB).
    /// Every other control byte, NUL, CR and LF included, is refused (RFC 9110 §5.5 lets a recipient
    /// reject them; replacing them with SP would hide an attack).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == tab
    }

    /// Whether `byte` is optional whitespace (OWS, RFC 9110 §5.6.3).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    /// ASCII lowercase of one byte.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    /// Whether `bytes` equal `lowercaseName` ignoring ASCII case; `lowercaseName` must be lowercase.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseName: StaticString) -> Bool {
        guard bytes.count == lowercaseName.utf8CodeUnitCount else { return false }
        let name = lowercaseName.utf8Start
        for index in 0..<bytes.count where lowercased(bytes[index]) != name[index] {
            return false
        }
        return true
    }

    /// Whether two strings are equal ignoring ASCII case (header names).
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        // Native strings are contiguous UTF-8, so this is a byte loop without copies.
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                guard left.count == right.count else { return false }
                for index in 0..<left.count where lowercased(left[index]) != lowercased(right[index]) {
                    return false
                }
                return true
            }
        }
    }

    /// Whether `name` is a non-empty token, fit to be written as a field name.
    static func isToken(_ name: String) -> Bool {
        !name.utf8.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    /// Whether `value` can be written as a field value without splitting the message (RFC 9112 §11.1).
    static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy(isFieldValueByte)
    }

    /// The comma-separated elements of a list-valued field (RFC 9110 §5.6.1), trimmed of OWS, with
    /// empty elements dropped as the RFC asks recipients to do.
    static func listElements(_ value: String) -> [Substring] {
        value.split(separator: ",", omittingEmptySubsequences: true).compactMap { element in
            let trimmed = trimmingWhitespace(element)
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    /// `text` without leading and trailing SP and HTAB.
    static func trimmingWhitespace(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
