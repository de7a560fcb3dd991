#if canImport(Glibc)
import Glibc
#endif

/// Builds one log line as UTF-8 bytes in a single growing buffer: the per-record cost of logging is
/// then a few copies of the record's strings, not a `String` rebuilt scalar by scalar.
struct LogLineEncoder {
    /// The line so far.
    private(set) var bytes: [UInt8] = []

    /// Starts an empty line with room for `capacity` bytes.
    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends `text` as it is.
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends one ASCII byte.
    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends `value` as a JSON string literal (RFC 8259 §7): quotes, backslashes and control
    /// characters escaped, everything else copied byte for byte.
    mutating func appendJSONString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { source in
            var runStart = 0
            for index in 0..<source.count {
                let byte = source[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index])) }
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
            if runStart < source.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a text-format value: as it is, or as a JSON string when it is empty or holds a space,
    /// a quote, `=` or a control character (so a line always splits back into its fields).
    mutating func appendTextValue(_ value: String) {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 < 0x21 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }
        if needsQuotes { appendJSONString(value) } else { append(value) }
    }

    /// Appends `milliseconds` since the Unix epoch as RFC 3339 UTC with milliseconds
    /// (`2026-11-23T18:00:00.123Z`).
    mutating func appendTimestamp(milliseconds: Int64) {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        appendDigits(Int(parts.tm_year) + 1900, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2)
        bytes.append(UInt8(ascii: "."))
        appendDigits(Int(milliseconds % 1000), width: 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Appends a non-negative number in decimal, zero-padded to `width` digits.
    private mutating func appendDigits(_ value: Int, width: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = max(0, value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[7 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            } while (remaining > 0 || count < width) && count < 8
            bytes.append(contentsOf: buffer[(8 - count)...])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
