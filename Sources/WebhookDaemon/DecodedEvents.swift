#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StripeWebhooks
import WebhookSupport

/// Events decoded when they were received, kept for the dispatcher so that it does not decode the
/// same bytes again from the store (issue 17: the second decode was about 10 % of a loaded daemon's
/// CPU). The responder puts an event as it hands it to the store (a worker may claim it as soon as it
/// is committed) and takes it back when the store refused it; the worker that claims it takes it.
///
/// A taken event is used only when the stored body is byte for byte the body it was decoded from:
/// decoding is a function of the bytes, so the handlers see exactly what a fresh decode would give,
/// and a body that changed in storage is decoded afresh (and fails the same way as before). Bounded:
/// past `capacity` the oldest entry is forgotten, and its event is decoded from the store as before.
final class DecodedEvents: Sendable {
    /// Entries kept by default: a few claimed batches' worth, about 0.2 MB of bodies at 2.7 KB each
    /// (the bodies are the requests' own buffers, shared with the store's queue until committed).
    static let defaultCapacity = 64

    /// One decoded event and the bytes it was decoded from.
    private struct Entry {
        /// The body as received.
        let body: [UInt8]
        /// Its decoding.
        let event: StripeEvent
    }

    /// The entries and their ring, changed under one lock.
    private struct State {
        /// Entries by event id.
        var entries: [String: Entry] = [:]
        /// Ids in the order they were put, as a ring: the slot at `next` is the oldest.
        var order: [String?]
        /// The ring slot the next put takes.
        var next = 0
    }

    /// Most entries kept.
    let capacity: Int
    /// The entries, guarded.
    private let state: LockedValue<State>

    /// Creates an empty hand-off keeping at most `capacity` events.
    init(capacity: Int = DecodedEvents.defaultCapacity) {
        self.capacity = max(1, capacity)
        var initial = State(order: Array(repeating: nil, count: self.capacity))
        initial.entries.reserveCapacity(self.capacity)
        state = LockedValue(initial)
    }

    /// Keeps `event`, decoded from `body`, for the worker that claims it; forgets the oldest when full.
    func put(_ event: StripeEvent, body: [UInt8]) {
        let capacity = self.capacity
        state.withLock { state in
            if let oldest = state.order[state.next] { state.entries[oldest] = nil }
            state.order[state.next] = event.id
            state.next = (state.next + 1) % capacity
            state.entries[event.id] = Entry(body: body, event: event)
        }
    }

    /// The event kept for `id` if it was decoded from exactly `body` (nil otherwise); forgets it either way.
    func take(_ id: String, body: [UInt8]) -> StripeEvent? {
        let entry = state.withLock { $0.entries.removeValue(forKey: id) }
        guard let entry, Self.sameBytes(entry.body, body) else { return nil }
        return entry.event
    }

    /// Entries kept now.
    var count: Int { state.withLock { $0.entries.count } }

    /// Whether `lhs` and `rhs` hold the same bytes.
    private static func sameBytes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
            }
        }
    }
}
