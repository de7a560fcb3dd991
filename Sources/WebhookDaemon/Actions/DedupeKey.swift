import StripeWebhooks

/// A handler's `dedupe_key`: for each event type, the JSON path of the value naming the business fact
/// (`checkout.session.completed` → `data.object.invoice`, `invoice.paid` → `data.object.id`), so that
/// the handler runs once per value across those types.
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

    /// Event type → dotted path from the event's root.
    let paths: [String: String]

    /// The key of `event`, whose raw body is `body`.
    func lookup(_ event: StripeEvent, body: [UInt8]) -> Lookup {
        guard let path = paths[event.type.rawValue] else { return .notDeduplicated }
        let value: JSONValue?
        let objectPrefix = "data.object."
        if path.hasPrefix(objectPrefix) {
            value = event.data.object.lookup(String(path.dropFirst(objectPrefix.count)))
        } else {
            value = (try? JSONParser().parse(body))?.lookup(path)
        }
        switch value {
        case nil, .null?, .string("")?: return .missing(path: path)
        case .string(let text)?: return .key(text)
        case let other?: return .key(other.jsonText)
        }
    }
}
