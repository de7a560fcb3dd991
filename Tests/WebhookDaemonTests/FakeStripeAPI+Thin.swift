import Foundation
import StripeTestSupport

/// The fake's thin-event control endpoints: v2 events for `GET /v2/core/events/{id}` and objects for
/// `GET related_object.url`.
extension FakeStripeAPI {
    /// Registers a v2 event (with `data`), as `GET /v2/core/events/{id}` returns it.
    func addV2Event(_ event: [String: Any]) throws { _ = try post("/_fake/v2_events", ["event": event]) }

    /// Registers the object served at `path`, only in `context` when one is given.
    func addObject(at path: String, _ object: [String: Any], context: String? = nil) throws {
        var body: [String: Any] = ["path": path, "object": object]
        if let context { body["context"] = context }
        _ = try post("/_fake/objects", body)
    }
}
