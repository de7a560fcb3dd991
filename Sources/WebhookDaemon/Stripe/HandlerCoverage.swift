import EventStore
import StripeAPI

/// Which handlers can never run because no watched Stripe endpoint sends a type they match.
enum HandlerCoverage {
    /// The handlers (name and patterns) none of whose patterns matches a type in `enabledEvents`
    /// (the union over the endpoints; `*` there enables every type).
    static func unreachable(_ handlers: [HandlerConfiguration], enabledEvents: Set<String>) -> [HandlerConfiguration] {
        if enabledEvents.contains("*") { return [] }
        return handlers.filter { handler in
            !handler.events.contains { text in
                guard let pattern = try? EventTypePattern(text) else { return true }
                return enabledEvents.contains { pattern.matches($0) }
            }
        }
    }

    /// The sentence reported for one unreachable handler.
    static func message(for handler: HandlerConfiguration, endpoints: [String]) -> String {
        "handler \"\(handler.name)\" (events \(handler.events.joined(separator: ", "))) matches none of the event types "
            + "Stripe sends to \(endpoints.joined(separator: ", ")): it can never run for a delivery. Add the types to the "
            + "endpoint (Dashboard → Developers → Webhooks) or change the handler's events"
    }
}
