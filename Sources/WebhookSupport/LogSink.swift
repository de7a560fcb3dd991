import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where log records go: formats each as one line and writes it whole, from any thread.
public final class LogSink: Sendable {
    /// The line format.
    public enum Format: String, Sendable, CaseIterable {
        /// `2026-11-23T18:00:00.123Z info webhookd: message key=value`
        case text
        /// One JSON object per line: `time`, `level`, `label`, `message`, then the metadata keys.
        case json
    }

    /// The format this sink writes.
    public let format: Format
    private let output: @Sendable (String) -> Void
    private let lock = NSLock()

    /// Creates a sink that hands each formatted line (with its newline) to `output`.
    public init(format: Format, output: @escaping @Sendable (String) -> Void) {
        self.format = format
        self.output = output
    }

    /// A sink that writes text lines to standard error.
    public static let standardError = LogSink(format: .text, output: LogSink.writeToStandardError)

    /// A sink writing `format` lines to standard error.
    public static func standardError(format: Format) -> LogSink {
        LogSink(format: format, output: LogSink.writeToStandardError)
    }

    /// Writes one record as one line; lines from different threads never interleave.
    public func write(_ record: LogRecord) {
        let line = format == .json ? Self.jsonLine(record) : Self.textLine(record)
        lock.lock()
        defer { lock.unlock() }
        output(line)
    }

    /// Formats a record as a text line.
    static func textLine(_ record: LogRecord) -> String {
        var line = "\(timestamp(record.time)) \(record.level) \(record.label): \(record.message)"
        for key in record.metadata.keys.sorted() {
            line += " \(key)=\(quotedIfNeeded(record.metadata[key]!))"
        }
        return line + "\n"
    }

    /// Formats a record as a JSON object on one line.
    static func jsonLine(_ record: LogRecord) -> String {
        var line = "{\"time\":\(jsonString(timestamp(record.time))),\"level\":\(jsonString(record.level.description))"
        line += ",\"label\":\(jsonString(record.label)),\"message\":\(jsonString(record.message))"
        for key in record.metadata.keys.sorted() {
            line += ",\(jsonString(key)):\(jsonString(record.metadata[key]!))"
        }
        return line + "}\n"
    }

    /// RFC 3339 UTC time with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }

    /// Quotes a text-format value that holds spaces, quotes or control characters.
    static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
        return needsQuotes ? jsonString(value) : value
    }

    /// A JSON string literal for `value`, escaping quotes, backslashes and control characters.
    public static func jsonString(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static let writeToStandardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }
}

/// Collects formatted lines in memory; for tests and for commands that report what they logged.
public final class LogCapture: Sendable {
    private let storage = LockedValue<[String]>([])

    /// Creates an empty capture.
    public init() {}

    /// A sink in `format` whose lines land in this capture.
    public func sink(format: LogSink.Format = .text) -> LogSink {
        LogSink(format: format) { [storage] line in storage.withLock { $0.append(line) } }
    }

    /// The lines captured so far, each with its newline.
    public var lines: [String] { storage.withLock { $0 } }

    /// Everything captured so far as one string.
    public var text: String { lines.joined() }
}
