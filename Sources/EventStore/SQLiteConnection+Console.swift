/// The console's reads: a page of the event list by keyset, hourly counts, handler failure rates and
/// the events about the same object (indexes and tables of migration 6).
extension SQLiteConnection {
    /// The page of events `query` asks for, newest first by (received_at, seq), one more row than the
    /// limit read to know whether a next page exists.
    func eventPage(_ query: EventQuery, pattern: EventTypePattern) throws(EventStoreError) -> EventPage {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        // INDEXED BY names the index whose order is the list's order (its rowid is seq), so that a
        // page reads its rows and stops, whatever the planner would guess without ANALYZE statistics.
        var index = "events_received"
        if let id = query.eventID {
            conditions.append("id = ?")
            arguments.append(.text(id))
            index = ""
        } else if let object = query.objectID {
            conditions.append("object_id = ?")
            arguments.append(.text(object))
            index = "events_object"
        } else if query.status == .failed {
            index = "events_failed_received"
        } else if query.status == .pending, !Self.isNarrow(query) {
            // The backlog, sorted: as many rows as are pending. (Within an hour's window, the receive
            // order's index reads fewer rows whatever the backlog: the overview's oldest pending event.)
            index = "events_pending"
        } else if case .exact = pattern.form {
            index = "events_type"
        }
        if let status = query.status {
            // A literal, not a parameter: only then can SQLite use the partial index of that status.
            conditions.append("status = '\(status.rawValue)'")
        }
        let filter = Self.typeFilter(pattern, column: "type")
        if !filter.sql.isEmpty {
            conditions.append(filter.sql)
            arguments += filter.arguments
        }
        if let from = query.receivedFrom {
            conditions.append("received_at >= ?")
            arguments.append(.integer(from))
        }
        if let before = query.receivedBefore {
            conditions.append("received_at < ?")
            arguments.append(.integer(before))
        }
        if let cursor = query.after {
            conditions.append("(received_at, seq) < (?, ?)")
            arguments += [.integer(cursor.receivedAt), .integer(cursor.sequence)]
        }
        let limit = max(1, query.limit)
        arguments.append(.int(limit + 1))
        let hint = index.isEmpty ? "" : " INDEXED BY \(index)"
        let filters = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let rows = try self.query(
            "SELECT \(Self.eventColumns) FROM events\(hint)\(filters) ORDER BY received_at DESC, seq DESC LIMIT ?",
            arguments, Self.storedEvent(from:))
        let events = Array(rows.prefix(limit))
        return EventPage(events: events, next: rows.count > limit ? events.last.map(EventCursor.init) : nil)
    }

    /// Whether `query` asks for at most an hour of receive times.
    static func isNarrow(_ query: EventQuery) -> Bool {
        guard let from = query.receivedFrom, let before = query.receivedBefore else { return false }
        return before - from <= HourlyEventCount.hourMillis
    }

    /// Counts per hour, type and status of events received since `since` (Unix ms).
    func hourlyCounts(since: Int64) throws(EventStoreError) -> [HourlyEventCount] {
        try query(
            "SELECT hour, type, status, count FROM event_hours WHERE hour >= ? AND count > 0 ORDER BY hour, type, status",
            [.integer(since / HourlyEventCount.hourMillis)]
        ) { row throws(EventStoreError) in
            guard let status = EventStatus(rawValue: row.text(2)) else {
                throw EventStoreError(.schema, "event_hours has unknown status '\(row.text(2))'")
            }
            return HourlyEventCount(hourStart: row.int64(0) * HourlyEventCount.hourMillis, type: row.text(1), status: status, count: row.int(3))
        }
    }

    /// Runs and failures per handler started since `since` (Unix ms), to the hour.
    func handlerFailureRates(since: Int64) throws(EventStoreError) -> [HandlerFailureRate] {
        try query(
            "SELECT handler, sum(runs), sum(failures) FROM handler_hours WHERE hour >= ? GROUP BY handler ORDER BY handler",
            [.integer(since / HourlyEventCount.hourMillis)]
        ) { HandlerFailureRate(handler: $0.text(0), runs: $0.int(1), failures: $0.int(2)) }
    }

    /// The events about event `eventID`'s object just before and after it.
    func relatedEvents(to eventID: String, limit: Int) throws(EventStoreError) -> RelatedEvents {
        let anchor = try queryFirst(
            "SELECT object_id, received_at, seq FROM events WHERE id = ? AND object_id IS NOT NULL", [.text(eventID)]
        ) { (object: $0.text(0), receivedAt: $0.int64(1), sequence: $0.int64(2)) }
        guard let anchor, limit > 0 else { return RelatedEvents(before: [], after: []) }
        let position: [SQLiteValue] = [.text(anchor.object), .integer(anchor.receivedAt), .integer(anchor.sequence), .int(limit)]
        let before = try query("""
            SELECT \(Self.eventColumns) FROM events INDEXED BY events_object
            WHERE object_id = ? AND (received_at, seq) < (?, ?) ORDER BY received_at DESC, seq DESC LIMIT ?
            """, position, Self.storedEvent(from:))
        let after = try query("""
            SELECT \(Self.eventColumns) FROM events INDEXED BY events_object
            WHERE object_id = ? AND (received_at, seq) > (?, ?) ORDER BY received_at, seq LIMIT ?
            """, position, Self.storedEvent(from:))
        return RelatedEvents(before: before, after: after)
    }
}

extension SQLiteConnection {
    /// Failed events counted by type, from the covering index of failed events' types (as many index
    /// entries as dead letters, no table rows).
    func deadLetterCounts() throws(EventStoreError) -> [String: Int] {
        let rows = try query(
            "SELECT type, count(*) FROM events INDEXED BY events_failed_type WHERE status = 'failed' GROUP BY type", []
        ) { (type: $0.text(0), count: $0.int(1)) }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.type] = row.count }
        return counts
    }
}
