/// Why the event store could not do something: the store layer's one error type.
///
/// Messages name the operation and the event id where there is one, and carry SQLite's message and
/// code; they never contain an event body.
public struct EventStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, which decides what a caller does about it.
    public enum Kind: String, Sendable, Equatable {
        /// The store cannot write or read right now (locked, disk or quota full, I/O error, corrupt,
        /// read-only file, closed, queue full): retryable; the daemon answers 503 + `Retry-After`.
        case unavailable
        /// The store was opened read-only (operator commands) and was asked to write.
        case readOnly
        /// No event has the given id.
        case notFound
        /// The event is not claimed by this store instance (its lease lapsed or it was released).
        case notClaimed
        /// A caller passed something unusable (a bad type pattern, a missing directory).
        case invalidArgument
        /// The database's schema is newer than this build, not ours, or needs a migration first.
        case schema
        /// The store location names a backend this build does not have.
        case unsupported
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// What failed, with context.
    public let message: String
    /// SQLite's extended result code, when SQLite reported the failure.
    public let sqliteCode: Int32?

    /// Creates an error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.sqliteCode = sqliteCode
    }

    /// Whether retrying later can succeed without anyone changing anything.
    public var isRetryable: Bool { kind == .unavailable }

    /// `event store: unavailable: a batch of 3 writes was rolled back: … database is locked [SQLite 5]`.
    public var description: String {
        let code = sqliteCode.map { " [SQLite \($0)]" } ?? ""
        return "event store: \(Self.phrase(kind)): \(message)\(code)"
    }

    /// How `description` names a kind.
    private static func phrase(_ kind: Kind) -> String {
        switch kind {
        case .unavailable: "unavailable"
        case .readOnly: "read-only"
        case .notFound: "not found"
        case .notClaimed: "claim lost"
        case .invalidArgument: "invalid argument"
        case .schema: "schema"
        case .unsupported: "unsupported"
        }
    }
}
