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
    private let output: Output
    private let lock = NSLock()

    /// Where a sink's lines go.
    private enum Output: Sendable {
        /// A closure taking each line as a `String` (captures, consoles).
        case text(@Sendable (String) -> Void)
        /// A file descriptor written with one `write(2)` per line.
        case descriptor(Int32)
    }

    /// Creates a sink that hands each formatted line (with its newline) to `output`.
    public init(format: Format, output: @escaping @Sendable (String) -> Void) {
        self.format = format
        self.output = .text(output)
    }

    /// Creates a sink that writes each line to `descriptor` with one `write(2)`.
    init(format: Format, descriptor: Int32) {
        self.format = format
        self.output = .descriptor(descriptor)
    }

    /// A sink that writes text lines to standard error.
    public static let standardError = LogSink(format: .text, descriptor: STDERR_FILENO)

    /// A sink writing `format` lines to standard error.
    public static func standardError(format: Format) -> LogSink {
        LogSink(format: format, descriptor: STDERR_FILENO)
    }

    /// Writes one record as one line; lines from different threads never interleave. The line is
    /// built before the lock is taken, so the lock covers only the write. On a thread that holds its
    /// lines (`holdLines()`), the line is kept until the thread writes them.
    public func write(_ record: LogRecord) {
        let line = Self.encode(record, format: format)
        if let held = HeldLogLines.current, held.isHolding {
            held.hold(line, for: self)
            return
        }
        lock.lock()
        defer { lock.unlock() }
        switch output {
        case .text(let output): output(String(decoding: line, as: UTF8.self))
        case .descriptor(let descriptor): Self.writeAll(line, to: descriptor)
        }
    }

    /// Writes lines held by a thread: to a descriptor with one `write(2)` for all of them, to a
    /// closure line by line; under the lock, so other threads' lines never land between them.
    func writeLines(_ bytes: [UInt8], lineEnds: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        switch output {
        case .text(let output):
            var start = 0
            for end in lineEnds {
                output(bytes[start..<end].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
                start = end
            }
        case .descriptor(let descriptor):
            Self.writeAll(bytes, to: descriptor)
        }
    }

    /// From now until `releaseLines()`, lines that this thread logs (to any sink) are held and written
    /// together by `writeHeldLines()` or `releaseLines()` (or once 64 KB are held). An event loop holds
    /// the lines of one pass over its ready connections and writes them before it sends a response:
    /// one `write(2)` for a burst of requests, and no response goes out before the lines logged while
    /// answering it are written. A thread that holds lines must write them before anything that makes
    /// their subject visible (a response, a commit) and before it blocks.
    public static func holdLines() {
        holdLines(deferringActions: false)
    }

    /// `holdLines()`; with `deferringActions`, `afterHeldLines` actions on this thread also wait until
    /// the lines held before them are written. The store's completion thread holds the lines of one
    /// committed batch this way: each caller's "event stored" line is logged, all of them are written
    /// with one `write(2)`, and only then are the callers answered, so no 200 leaves before its line.
    public static func holdLines(deferringActions: Bool) {
        let held = HeldLogLines.currentOrNew
        held.isHolding = true
        held.defersActions = deferringActions
    }

    /// Runs `action` once the lines this thread holds are written when it holds them with
    /// `holdLines(deferringActions: true)`; else at once. For answering a caller only after the lines
    /// logged about it are written.
    public static func afterHeldLines(_ action: @escaping () -> Void) {
        guard let held = HeldLogLines.current, held.isHolding, held.defersActions else {
            action()
            return
        }
        held.actions.append(action)
    }

    /// Writes the lines this thread holds, and keeps holding.
    public static func writeHeldLines() {
        guard let held = HeldLogLines.current, !held.bytes.isEmpty || !held.actions.isEmpty else { return }
        held.write()
    }

    /// Writes the lines this thread holds (and runs the actions waiting for them) and stops holding:
    /// later lines are written at once again.
    public static func releaseLines() {
        guard let held = HeldLogLines.current else { return }
        held.write()
        held.isHolding = false
        held.defersActions = false
        // Lines that the actions logged.
        held.write()
    }

    /// The record as one line of UTF-8 in `format`, newline included.
    static func encode(_ record: LogRecord, format: Format) -> [UInt8] {
        var encoder = LogLineEncoder(capacity: 128 + record.message.utf8.count + record.metadata.count * 48)
        let millis = Int64((record.time.timeIntervalSince1970 * 1000).rounded(.down))
        // Sorted as pairs, not as keys looked up again: a record's metadata is hashed once, when built.
        let fields = record.metadata.count > 1 ? record.metadata.sorted { $0.key < $1.key } : Array(record.metadata)
        switch format {
        case .text:
            encoder.appendTimestamp(milliseconds: millis)
            encoder.append(byte: UInt8(ascii: " "))
            encoder.append(record.level.description)
            encoder.append(byte: UInt8(ascii: " "))
            encoder.append(record.label)
            encoder.append(": ")
            encoder.append(record.message)
            for (key, value) in fields {
                encoder.append(byte: UInt8(ascii: " "))
                encoder.append(key)
                encoder.append(byte: UInt8(ascii: "="))
                encoder.appendTextValue(value)
            }
            encoder.append(byte: UInt8(ascii: "\n"))
        case .json:
            encoder.append("{\"time\":\"")
            encoder.appendTimestamp(milliseconds: millis)
            encoder.append("\",\"level\":\"")
            encoder.append(record.level.description)
            encoder.append("\",\"label\":")
            encoder.appendJSONString(record.label)
            encoder.append(",\"message\":")
            encoder.appendJSONString(record.message)
            for (key, value) in fields {
                encoder.append(byte: UInt8(ascii: ","))
                encoder.appendJSONString(key)
                encoder.append(byte: UInt8(ascii: ":"))
                encoder.appendJSONString(value)
            }
            encoder.append("}\n")
        }
        return encoder.bytes
    }

    /// Formats a record as a text line.
    static func textLine(_ record: LogRecord) -> String {
        String(decoding: encode(record, format: .text), as: UTF8.self)
    }

    /// Formats a record as a JSON object on one line.
    static func jsonLine(_ record: LogRecord) -> String {
        String(decoding: encode(record, format: .json), as: UTF8.self)
    }

    /// A JSON string literal for `value`, escaping quotes, backslashes and control characters.
    public static func jsonString(_ value: String) -> String {
        var encoder = LogLineEncoder(capacity: value.utf8.count + 2)
        encoder.appendJSONString(value)
        return String(decoding: encoder.bytes, as: UTF8.self)
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes and EINTR; gives up on other errors
    /// (a log line is never worth blocking or crashing for).
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
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
