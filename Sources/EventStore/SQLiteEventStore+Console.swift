/// The console's reads on the reader connection, each in one read transaction.
extension SQLiteEventStore {
    /// One page of the event list (see `EventStore.events(matching:)`).
    public func events(matching query: EventQuery) throws(EventStoreError) -> EventPage {
        let pattern = try query.typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        return try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.eventPage(query, pattern: pattern) }
        }
    }

    /// Events per hour, type and status since `since`.
    public func hourlyCounts(since: Int64) throws(EventStoreError) -> [HourlyEventCount] {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.hourlyCounts(since: since) }
        }
    }

    /// Handler runs and failures since `since`.
    public func handlerFailureRates(since: Int64) throws(EventStoreError) -> [HandlerFailureRate] {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.handlerFailureRates(since: since) }
        }
    }

    /// The events about the same object before and after an event.
    public func relatedEvents(to eventID: String, limit: Int) throws(EventStoreError) -> RelatedEvents {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.relatedEvents(to: eventID, limit: limit) }
        }
    }
}

extension SQLiteEventStore {
    /// Dead letters by type.
    public func deadLetterCounts() throws(EventStoreError) -> [String: Int] {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.deadLetterCounts() }
        }
    }
}
