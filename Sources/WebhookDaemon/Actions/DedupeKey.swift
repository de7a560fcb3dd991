import StripeWebhooks

/// A handler's `dedupe_key`: for each event type, the JSON path of the value naming the business fact
/// (`checkout.session.completed` → `data.object.invoice`, `invoice.paid` → `data.object.id`), so that
/// the handler runs once per value across those types. During a move from snapshot to thin events,
/// `snapshot_event|id` pairs a thin twin with the snapshot event it stands for.
struct DedupeKey: Sendable {
    /// What an event yields.
    enum Lookup: Sendable, Equatable {
        /// The event's type has no path: no dedupe beyond the event id.
        case notDeduplicated
        /// The path leads nowhere, or to null or "": the handler runs without dedupe.
        case missing(path: String)
        /// The key value.
        case key(String)
    }

    /// Event type → dotted path from the event's root, or several separated by `|`, of which the first
    /// present one counts (`snapshot_event|id`: a thin twin's snapshot event id, else the event's own id).
    let paths: [String: String]

    /// Separates alternative paths in one expression.
    static let alternativeSeparator: Character = "|"

    /// The key of `event`, whose raw body is `body`.
    func lookup(_ event: StripeEvent, body: [UInt8]) -> Lookup {
        guard let expression = paths[event.type.rawValue] else { return .notDeduplicated }
        var document: JSONValue??
        for path in expression.split(separator: Self.alternativeSeparator).map(String.init) {
            let value: JSONValue?
            let objectPrefix = "data.object."
            if path.hasPrefix(objectPrefix), event.thin == nil {
                value = event.data.object.lookup(String(path.dropFirst(objectPrefix.count)))
            } else {
                if document == nil { document = .some(try? JSONParser().parse(body)) }
                value = document??.lookup(path)
            }
            switch value {
            case nil, .null?, .string("")?: continue
            case .string(let text)?: return .key(text)
            case let other?: return .key(other.jsonText)
            }
        }
        return .missing(path: expression)
    }
}
