/// A filter on event types, segment-aware: `invoice.paid` (exact), `invoice.*` (every type under
/// `invoice.`, so never `invoiceitem.created`) or `*` (everything).
public struct EventTypePattern: Sendable, Equatable, CustomStringConvertible {
    /// How the pattern matches.
    enum Form: Sendable, Equatable {
        /// Every type.
        case any
        /// Exactly this type.
        case exact(String)
        /// Every type starting with this prefix, which ends in a dot.
        case prefix(String)
    }

    /// The parsed form.
    let form: Form

    /// Every event type.
    public static let any = EventTypePattern(form: .any)

    /// Wraps a parsed form.
    private init(form: Form) { self.form = form }

    /// Parses `text`; `*` may only stand alone or as a whole last segment.
    public init(_ text: String) throws(EventStoreError) {
        if text == "*" {
            form = .any
            return
        }
        let segments = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, segments.allSatisfy({ !$0.isEmpty }),
              !text.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else {
            throw EventStoreError(.invalidArgument, "event type pattern '\(text)' is malformed: use a type (invoice.paid), a prefix (invoice.*) or *")
        }
        let wildcards = segments.filter { $0.contains("*") }
        if wildcards.isEmpty {
            form = .exact(text)
        } else if wildcards.count == 1, segments.last == "*", segments.count > 1 {
            form = .prefix(String(text.dropLast()))
        } else {
            throw EventStoreError(.invalidArgument, "event type pattern '\(text)': * may only stand alone or as the whole last segment (invoice.*)")
        }
    }

    /// Whether `type` matches.
    public func matches(_ type: String) -> Bool {
        switch form {
        case .any: true
        case .exact(let exact): type == exact
        case .prefix(let prefix): type.hasPrefix(prefix)
        }
    }

    /// The pattern as written.
    public var description: String {
        switch form {
        case .any: "*"
        case .exact(let exact): exact
        case .prefix(let prefix): prefix + "*"
        }
    }
}
