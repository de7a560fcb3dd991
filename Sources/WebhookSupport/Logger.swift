import Foundation

/// A structured logger in swift-log's shape: a value with a label, a level and metadata, writing
/// records to a shared `LogSink`. Messages and metadata are built only when the level is enabled.
public struct Logger: Sendable {
    /// Severity of a record, from most to least verbose.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        /// Parses a level name as written on the command line (`info`, `warning`, …).
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
            self = level
        }

        /// The level's lowercase name.
        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Orders levels by severity.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Metadata attached to a record: dotted keys (`event.id`, `request.id`) to string values.
    public typealias Metadata = [String: String]

    /// The logger's label, usually the component (`webhookd.http`).
    public let label: String
    /// Records below this level are dropped before their message is built.
    public var logLevel: Level
    /// Metadata attached to every record from this logger.
    public var metadata: Metadata
    /// Where records go.
    public let sink: LogSink

    /// Creates a logger writing to `sink` at `level`.
    public init(label: String, level: Level = .info, sink: LogSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.metadata = [:]
        self.sink = sink
    }

    /// Reads or sets one metadata value on this logger.
    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Whether a record at `level` would be written.
    @inlinable
    public func isEnabled(_ level: Level) -> Bool { level >= logLevel }

    /// Writes one record when `level` is enabled.
    public func log(
        level: Level,
        _ message: @autoclosure () -> String,
        metadata extra: @autoclosure () -> Metadata = [:]
    ) {
        guard isEnabled(level) else { return }
        // The call's metadata wins over the logger's; most loggers carry none, so nothing is merged.
        var merged = extra()
        for (key, value) in metadata where merged[key] == nil { merged[key] = value }
        sink.write(LogRecord(time: Date(), level: level, label: label, message: message(), metadata: merged))
    }

    /// Writes a `trace` record.
    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .trace, message(), metadata: metadata())
    }
    /// Writes a `debug` record.
    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .debug, message(), metadata: metadata())
    }
    /// Writes an `info` record.
    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .info, message(), metadata: metadata())
    }
    /// Writes a `notice` record.
    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .notice, message(), metadata: metadata())
    }
    /// Writes a `warning` record.
    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .warning, message(), metadata: metadata())
    }
    /// Writes an `error` record.
    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .error, message(), metadata: metadata())
    }
    /// Writes a `critical` record.
    public func critical(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .critical, message(), metadata: metadata())
    }
}

/// One log record, as handed to a sink.
public struct LogRecord: Sendable {
    /// When the record was made.
    public var time: Date
    /// Its severity.
    public var level: Logger.Level
    /// The label of the logger that made it.
    public var label: String
    /// The message text.
    public var message: String
    /// Merged metadata of the logger and the call.
    public var metadata: Logger.Metadata
}

extension Logger {
    /// `duration` as milliseconds with three decimals (`12.345`), the form of the `duration_ms` key.
    public static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
