/// The console's reads over a snapshot of every event: the memory store serves tests and small runs,
/// where a scan is as good as an index.
extension MemoryEventStore {
    /// Every event, newest first by receive time then sequence, with handler runs.
    private func newestFirst() throws(EventStoreError) -> [StoredEvent] {
        try list(status: nil, typePattern: nil, since: nil, limit: Int.max).sorted {
            ($0.record.receivedAt, $0.sequence) > ($1.record.receivedAt, $1.sequence)
        }
    }

    /// `event` without its handler runs, as the console's lists return events.
    private static func summarized(_ event: StoredEvent) -> StoredEvent {
        var event = event
        event.handlers = []
        return event
    }

    /// One page of the event list (see `EventStore.events(matching:)`).
    public func events(matching query: EventQuery) throws(EventStoreError) -> EventPage {
        let pattern = try query.typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        let limit = max(1, query.limit)
        var found: [StoredEvent] = []
        for event in try newestFirst() {
            if let status = query.status, event.status != status { continue }
            if !pattern.matches(event.record.type) { continue }
            if let from = query.receivedFrom, event.record.receivedAt < from { continue }
            if let before = query.receivedBefore, event.record.receivedAt >= before { continue }
            if let object = query.objectID, event.record.objectID != object { continue }
            if let id = query.eventID, event.record.id != id { continue }
            if let cursor = query.after, !cursor.precedes(event) { continue }
            found.append(Self.summarized(event))
            if found.count > limit { break }
        }
        let events = Array(found.prefix(limit))
        return EventPage(events: events, next: found.count > limit ? events.last.map(EventCursor.init) : nil)
    }

    /// Events per hour, type and status since `since`.
    public func hourlyCounts(since: Int64) throws(EventStoreError) -> [HourlyEventCount] {
        struct Key: Hashable { let hour: Int64, type: String, status: EventStatus }
        var counts: [Key: Int] = [:]
        let firstHour = since / HourlyEventCount.hourMillis
        for event in try list(status: nil, typePattern: nil, since: nil, limit: Int.max) {
            let hour = event.record.receivedAt / HourlyEventCount.hourMillis
            guard hour >= firstHour else { continue }
            counts[Key(hour: hour, type: event.record.type, status: event.status), default: 0] += 1
        }
        return counts.map { HourlyEventCount(hourStart: $0.key.hour * HourlyEventCount.hourMillis, type: $0.key.type, status: $0.key.status, count: $0.value) }
            .sorted { ($0.hourStart, $0.type, $0.status.rawValue) < ($1.hourStart, $1.type, $1.status.rawValue) }
    }

    /// Handler runs and failures since `since`, to the hour like the SQLite store.
    public func handlerFailureRates(since: Int64) throws(EventStoreError) -> [HandlerFailureRate] {
        var rates: [String: HandlerFailureRate] = [:]
        let firstHour = since / HourlyEventCount.hourMillis
        for event in try list(status: nil, typePattern: nil, since: nil, limit: Int.max) {
            for run in event.handlers where run.startedAt / HourlyEventCount.hourMillis >= firstHour {
                rates[run.handler, default: HandlerFailureRate(handler: run.handler, runs: 0, failures: 0)].runs += 1
                if !run.succeeded { rates[run.handler]?.failures += 1 }
            }
        }
        return rates.values.sorted { $0.handler < $1.handler }
    }

    /// The events about the same object before and after an event.
    public func relatedEvents(to eventID: String, limit: Int) throws(EventStoreError) -> RelatedEvents {
        guard let anchor = try event(id: eventID), let object = anchor.record.objectID, limit > 0 else {
            return RelatedEvents(before: [], after: [])
        }
        let cursor = EventCursor(anchor)
        let about = try newestFirst().filter { $0.record.objectID == object && $0.record.id != eventID }.map(Self.summarized)
        let before = about.filter { cursor.precedes($0) }.prefix(limit)
        let after = about.filter { !cursor.precedes($0) }.reversed().prefix(limit)
        return RelatedEvents(before: Array(before), after: Array(after))
    }
}

extension MemoryEventStore {
    /// Dead letters by type.
    public func deadLetterCounts() throws(EventStoreError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for event in try list(status: .failed, typePattern: nil, since: nil, limit: Int.max) { counts[event.record.type, default: 0] += 1 }
        return counts
    }
}
