/// The console's reads on the PostgreSQL store (see the `EventStore` protocol), on the reader connection.
extension PostgreSQLEventStore {
    /// One page of the event list, newest first by (received_at, seq).
    public func events(matching query: EventQuery) throws(EventStoreError) -> EventPage {
        let pattern = try query.typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        return try read { connection throws(EventStoreError) in try connection.eventPage(query, pattern: pattern) }
    }

    /// Events per hour, type and status since `since`.
    public func hourlyCounts(since: Int64) throws(EventStoreError) -> [HourlyEventCount] {
        try read { connection throws(EventStoreError) in try connection.hourlyCounts(since: since) }
    }

    /// Handler runs and failures since `since`.
    public func handlerFailureRates(since: Int64) throws(EventStoreError) -> [HandlerFailureRate] {
        try read { connection throws(EventStoreError) in try connection.handlerFailureRates(since: since) }
    }

    /// The events about the same object before and after an event.
    public func relatedEvents(to eventID: String, limit: Int) throws(EventStoreError) -> RelatedEvents {
        try read { connection throws(EventStoreError) in try connection.relatedEvents(to: eventID, limit: limit) }
    }

    /// Dead letters by type.
    public func deadLetterCounts() throws(EventStoreError) -> [String: Int] {
        try read { connection throws(EventStoreError) in try connection.deadLetterCounts() }
    }
}

extension PostgreSQLConnection {
    /// The page `query` asks for, one more row than the limit read to know whether a next page exists.
    func eventPage(_ query: EventQuery, pattern: EventTypePattern) throws(EventStoreError) -> EventPage {
        var conditions: [String] = []
        var arguments: [PostgreSQLValue] = []
        func add(_ condition: (Int) -> String, _ values: [PostgreSQLValue]) {
            conditions.append(condition(arguments.count + 1))
            arguments += values
        }
        if let id = query.eventID { add({ "e.id = $\($0)" }, [.text(id)]) }
        if let object = query.objectID { add({ "e.object_id = $\($0)" }, [.text(object)]) }
        if let status = query.status { add({ "s.status = $\($0)" }, [.text(status.rawValue)]) }
        let filter = Self.typeFilter(pattern, column: "e.type", firstParameter: arguments.count + 1)
        if !filter.sql.isEmpty {
            conditions.append(filter.sql)
            arguments += filter.arguments
        }
        if let from = query.receivedFrom { add({ "e.received_at >= $\($0)" }, [.integer(from)]) }
        if let before = query.receivedBefore { add({ "e.received_at < $\($0)" }, [.integer(before)]) }
        if let cursor = query.after { add({ "(e.received_at, e.seq) < ($\($0), $\($0 + 1))" }, [.integer(cursor.receivedAt), .integer(cursor.sequence)]) }
        let limit = max(1, query.limit)
        arguments.append(.int(limit + 1))
        let filters = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let rows = try self.query(
            "SELECT \(Self.eventColumns) FROM \(Self.eventTables)\(filters) ORDER BY e.received_at DESC, e.seq DESC LIMIT $\(arguments.count)",
            arguments
        ).map { row throws(EventStoreError) in try Self.storedEvent(from: row) }
        let events = Array(rows.prefix(limit))
        return EventPage(events: events, next: rows.count > limit ? events.last.map(EventCursor.init) : nil)
    }

    /// Counts per hour, type and status of events received since the hour holding `since`.
    func hourlyCounts(since: Int64) throws(EventStoreError) -> [HourlyEventCount] {
        let hour = HourlyEventCount.hourMillis
        return try query("""
            SELECT e.received_at / \(hour) AS hour, e.type, s.status, count(*) FROM \(Self.eventTables)
            WHERE e.received_at >= $1 GROUP BY hour, e.type, s.status ORDER BY hour, e.type, s.status
            """, [.integer(since / hour * hour)]
        ).map { row throws(EventStoreError) in
            guard let status = EventStatus(rawValue: row.text(2)) else {
                throw EventStoreError(.schema, "an event has unknown status '\(row.text(2))'")
            }
            return HourlyEventCount(hourStart: row.int64(0) * hour, type: row.text(1), status: status, count: row.int(3))
        }
    }

    /// Runs and failures per handler started since the hour holding `since`.
    func handlerFailureRates(since: Int64) throws(EventStoreError) -> [HandlerFailureRate] {
        let hour = HourlyEventCount.hourMillis
        return try query("""
            SELECT handler, count(*), count(*) FILTER (WHERE NOT succeeded) FROM handler_runs
            WHERE started_at >= $1 GROUP BY handler ORDER BY handler
            """, [.integer(since / hour * hour)]
        ).map { HandlerFailureRate(handler: $0.text(0), runs: $0.int(1), failures: $0.int(2)) }
    }

    /// The events about event `eventID`'s object just before and after it.
    func relatedEvents(to eventID: String, limit: Int) throws(EventStoreError) -> RelatedEvents {
        guard limit > 0, let anchor = try queryFirst(
            "SELECT object_id, received_at, seq FROM events WHERE id = $1 AND object_id IS NOT NULL", [.text(eventID)]
        ) else { return RelatedEvents(before: [], after: []) }
        let position: [PostgreSQLValue] = [.text(anchor.text(0)), .integer(anchor.int64(1)), .integer(anchor.int64(2)), .int(limit)]
        let before = try query("""
            SELECT \(Self.eventColumns) FROM \(Self.eventTables)
            WHERE e.object_id = $1 AND (e.received_at, e.seq) < ($2, $3) ORDER BY e.received_at DESC, e.seq DESC LIMIT $4
            """, position).map { row throws(EventStoreError) in try Self.storedEvent(from: row) }
        let after = try query("""
            SELECT \(Self.eventColumns) FROM \(Self.eventTables)
            WHERE e.object_id = $1 AND (e.received_at, e.seq) > ($2, $3) ORDER BY e.received_at, e.seq LIMIT $4
            """, position).map { row throws(EventStoreError) in try Self.storedEvent(from: row) }
        return RelatedEvents(before: before, after: after)
    }

    /// Failed events counted by type.
    func deadLetterCounts() throws(EventStoreError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try query("SELECT e.type, count(*) FROM \(Self.eventTables) WHERE s.status = 'failed' GROUP BY e.type") {
            counts[row.text(0)] = row.int(1)
        }
        return counts
    }
}
