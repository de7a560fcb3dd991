/// What the console's event list asks the store for: filters, a cursor and a page size. Results come
/// newest first, ordered by receive time, then by store order.
public struct EventQuery: Sendable, Equatable {
    /// Only events in this status; `nil` for all.
    public var status: EventStatus?
    /// Only events whose type matches this pattern (`invoice.paid`, `invoice.*`); `nil` for all.
    public var typePattern: String?
    /// Only events received at or after this time (Unix ms).
    public var receivedFrom: Int64?
    /// Only events received before this time (Unix ms).
    public var receivedBefore: Int64?
    /// Only events about this object (`data.object.id`).
    public var objectID: String?
    /// Only the event with this id.
    public var eventID: String?
    /// Continue after this position (the previous page's `next`); `nil` starts at the newest.
    public var after: EventCursor?
    /// Events per page. Default 50.
    public var limit: Int

    /// A query for the newest `limit` events, without filters.
    public init(limit: Int = 50) {
        self.limit = limit
    }
}

/// A position in the newest-first order: an event's receive time and store sequence (the keyset a page
/// continues from, so that paging a million events reads one page's rows, not every row before it).
public struct EventCursor: Sendable, Equatable, Hashable {
    /// The receive time (Unix ms) of the last event on the page.
    public var receivedAt: Int64
    /// Its store sequence.
    public var sequence: Int64

    /// Creates a cursor at an event's position.
    public init(receivedAt: Int64, sequence: Int64) {
        self.receivedAt = receivedAt
        self.sequence = sequence
    }

    /// The cursor of a stored event.
    public init(_ event: StoredEvent) {
        self.init(receivedAt: event.record.receivedAt, sequence: event.sequence)
    }

    /// Parses `token`'s form, `RECEIVED_AT-SEQUENCE`; `nil` for anything else.
    public init?(token: String) {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let receivedAt = Int64(parts[0]), let sequence = Int64(parts[1]), receivedAt >= 0, sequence >= 0 else {
            return nil
        }
        self.init(receivedAt: receivedAt, sequence: sequence)
    }

    /// The text form for a URL: `RECEIVED_AT-SEQUENCE`.
    public var token: String { "\(receivedAt)-\(sequence)" }

    /// Whether an event at `event` comes after this cursor in the newest-first order.
    public func precedes(_ event: StoredEvent) -> Bool {
        (event.record.receivedAt, event.sequence) < (receivedAt, sequence)
    }
}

/// One page of the console's event list.
public struct EventPage: Sendable, Equatable {
    /// The events, newest first, without handler runs.
    public var events: [StoredEvent]
    /// Where the next page starts; `nil` on the last page.
    public var next: EventCursor?

    /// Creates a page.
    public init(events: [StoredEvent], next: EventCursor?) {
        self.events = events
        self.next = next
    }
}
