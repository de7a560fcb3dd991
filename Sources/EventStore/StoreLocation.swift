/// Which store the daemon uses, parsed from its `store` setting.
///
/// - `sqlite:PATH` — an SQLite file at PATH (relative to the working directory unless absolute);
///   `sqlite:///ABSOLUTE/PATH` also works.
/// - `sqlite:` — the default file, `./stripe-webhookd.sqlite` in the working directory.
/// - `memory` — in memory; accepted events are lost when the process exits (tests and trials only).
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite database file.
    case sqlite(path: String)
    /// The in-memory store.
    case memory

    /// The file `sqlite:` with no path names, relative to the working directory.
    public static let defaultSQLitePath = "stripe-webhookd.sqlite"

    /// Parses a `store` setting; anything but `sqlite:…` and `memory` is an error that says what works.
    public init(parsing text: String) throws(EventStoreError) {
        let trimmed = text.trimmingSpaces()
        let lowered = trimmed.lowercased()
        if lowered == "memory" || lowered == "memory:" {
            self = .memory
            return
        }
        if lowered.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") {
                path.removeFirst(2)
                guard path.hasPrefix("/") else {
                    throw EventStoreError(.invalidArgument, "store '\(text)': an sqlite URL takes no host; use sqlite:PATH or sqlite:///ABSOLUTE/PATH")
                }
            }
            self = .sqlite(path: path.isEmpty ? Self.defaultSQLitePath : path)
            return
        }
        if lowered.hasPrefix("postgres:") || lowered.hasPrefix("postgresql:") {
            throw EventStoreError(.unsupported, "store '\(Self.redacted(text))': PostgreSQL is not supported yet; use sqlite:PATH")
        }
        throw EventStoreError(.invalidArgument, "unknown store '\(Self.redacted(text))': use sqlite:PATH, sqlite: (./\(Self.defaultSQLitePath)) or memory")
    }

    /// The setting that parses back to this location.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .memory: "memory"
        }
    }

    /// `text` with any `user:password@` credentials blanked, so that errors never echo a password.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(text[at...])
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
