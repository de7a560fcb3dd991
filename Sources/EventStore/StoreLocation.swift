/// Which store the daemon uses, parsed from its `store` setting.
///
/// - `sqlite:PATH` — an SQLite file at PATH (relative to the working directory unless absolute);
///   `sqlite:///ABSOLUTE/PATH` also works.
/// - `sqlite:` — the default file, `./stripe-webhookd.sqlite` in the working directory.
/// - `memory` — in memory; accepted events are lost when the process exits (tests and trials only).
/// - `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]` (or `postgresql://`) — a PostgreSQL
///   database that several daemons share; libpq reads what the URL leaves out from `PG*` variables.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite database file.
    case sqlite(path: String)
    /// The in-memory store.
    case memory
    /// A PostgreSQL database, by its URL (password included when the setting had one).
    case postgres(url: String)

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
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            let afterScheme = trimmed[trimmed.range(of: "://")!.upperBound...]
            guard let slash = afterScheme.firstIndex(of: "/"), !afterScheme[afterScheme.index(after: slash)...].isEmpty,
                  !afterScheme[afterScheme.index(after: slash)...].hasPrefix("?") else {
                throw EventStoreError(.invalidArgument, "store '\(Self.redacted(text))': name the database: postgres://USER[:PASSWORD]@HOST[:PORT]/DB")
            }
            self = .postgres(url: trimmed)
            return
        }
        throw EventStoreError(
            .invalidArgument,
            "unknown store '\(Self.redacted(text))': use sqlite:PATH, sqlite: (./\(Self.defaultSQLitePath)), postgres://USER@HOST/DB or memory")
    }

    /// The setting that parses back to this location, except that a PostgreSQL URL's password is
    /// blanked (`***`): descriptions go into logs and `check-config`.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .memory: "memory"
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// `text` with the password of any `user:password@` blanked (the user stays), and any `password=`
    /// query parameter too, so that errors and logs never echo a password.
    public static func redacted(_ text: String) -> String {
        var result = text
        if let scheme = result.range(of: "://"), let at = result[scheme.upperBound...].lastIndex(of: "@") {
            let credentials = result[scheme.upperBound..<at]
            let user = credentials.firstIndex(of: ":").map { credentials[..<$0] } ?? credentials
            result = String(result[..<scheme.upperBound]) + user + (user.count < credentials.count ? ":***" : "") + String(result[at...])
        }
        if let query = result.firstIndex(of: "?") {
            let parameters = result[result.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
                parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
            }
            result = String(result[...query]) + parameters.joined(separator: "&")
        }
        return result
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
