/// Checks UTF-8 without making a `String`: exactly the well-formed byte sequences of Unicode §3.9,
/// Table 3-7 (no overlong forms, no surrogates, nothing above U+10FFFF), the rule
/// `String(validating:as:)` applies.
enum UTF8Validation {
    /// Whether `bytes` is well-formed UTF-8.
    static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        let count = bytes.count
        while position < count {
            let lead = bytes[position]
            if lead < 0x80 {
                position += 1
                continue
            }
            // The allowed range of the second byte depends on the lead; later ones are always 80...BF.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard position + length <= count else { return false }
            let second = bytes[position + 1]
            guard second >= low && second <= high else { return false }
            for offset in 2..<length where bytes[position + offset] & 0xC0 != 0x80 {
                return false
            }
            position += length
        }
        return true
    }
}
