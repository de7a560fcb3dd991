/// Base-16 encoding of bytes: lowercase on output, either case on input (RFC 4648 §8).
public enum HexEncoding {
    /// The sixteen lowercase digits, indexed by nibble value.
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Encodes `bytes` as lowercase hexadecimal, two digits per byte.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let length = bytes.count * 2
        return String(unsafeUninitializedCapacity: length) { output in
            var position = 0
            for byte in bytes {
                output[position] = digits[Int(byte >> 4)]
                output[position + 1] = digits[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }

    /// Decodes hexadecimal text in either case; returns nil for odd length or any non-hex character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// Decodes hexadecimal UTF-8 code units in either case; returns nil for odd length or any non-hex byte.
    public static func decode(utf8: some Collection<UInt8>) -> [UInt8]? {
        HMACSHA256.withContiguousBytes(of: utf8) { text -> [UInt8]? in
            guard text.count % 2 == 0 else { return nil }
            var valid = true
            let bytes = [UInt8](unsafeUninitializedCapacity: text.count / 2) { output, initializedCount in
                valid = decode(text, into: UnsafeMutableRawBufferPointer(output))
                initializedCount = valid ? text.count / 2 : 0
            }
            return valid ? bytes : nil
        }
    }

    /// Decodes `text` into exactly `output.count` bytes without allocating.
    ///
    /// Returns false, leaving `output` partly written, unless `text` is exactly twice as long and all hex.
    static func decode(_ text: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == output.count * 2 else { return false }
        var position = 0
        while position < output.count {
            guard let high = nibble(text[position * 2]), let low = nibble(text[position * 2 + 1]) else {
                return false
            }
            output[position] = high << 4 | low
            position += 1
        }
        return true
    }

    /// The value of one hex digit, or nil for any other byte.
    @inline(__always)
    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
