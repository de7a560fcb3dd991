/// The PostgreSQL store's reads, on the reader connection (or inside a writer transaction).
extension PostgreSQLConnection {
    /// One event with its runs, or `nil`.
    func storedEvent(id: String) throws(EventStoreError) -> StoredEvent? {
        guard let row = try queryFirst("SELECT \(Self.eventColumns) FROM \(Self.eventTables) WHERE e.id = $1", [.text(id)]) else { return nil }
        var event = try Self.storedEvent(from: row)
        event.handlers = try handlerRuns(eventID: id)
        return event
    }

    /// Events newest first, filtered; each with its runs.
    func listEvents(status: EventStatus?, pattern: EventTypePattern, since: Int64?, limit: Int) throws(EventStoreError) -> [StoredEvent] {
        var conditions: [String] = []
        var arguments: [PostgreSQLValue] = []
        if let status {
            arguments.append(.text(status.rawValue))
            conditions.append("s.status = $\(arguments.count)")
        }
        let filter = Self.typeFilter(pattern, column: "e.type", firstParameter: arguments.count + 1)
        if !filter.sql.isEmpty {
            conditions.append(filter.sql)
            arguments += filter.arguments
        }
        if let since {
            arguments.append(.integer(since))
            conditions.append("e.received_at >= $\(arguments.count)")
        }
        let filters = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments.append(.int(limit))
        var events = try query(
            "SELECT \(Self.eventColumns) FROM \(Self.eventTables)\(filters) ORDER BY e.seq DESC LIMIT $\(arguments.count)", arguments
        ).map { row throws(EventStoreError) in try Self.storedEvent(from: row) }
        for index in events.indices {
            events[index].handlers = try handlerRuns(eventID: events[index].record.id)
        }
        return events
    }

    /// Every run recorded for an event, oldest first.
    func handlerRuns(eventID: String) throws(EventStoreError) -> [HandlerRun] {
        try query("""
            SELECT handler, attempt, started_at, finished_at, succeeded, error, output, replay
            FROM handler_runs WHERE event_id = $1 ORDER BY id
            """, [.text(eventID)]).map { row in
            HandlerRun(
                handler: row.text(0), attempt: row.int(1), startedAt: row.int64(2), finishedAt: row.optionalInt64(3),
                succeeded: row.bool(4), error: row.optionalText(5), output: row.optionalText(6), replay: row.int(7))
        }
    }

    /// Each handler's recorded runs for an event in replay `replay`, and the handlers that succeeded.
    func handlerRunCounts(eventID: String, replay: Int) throws(EventStoreError) -> (counts: [String: Int], succeeded: Set<String>) {
        var counts: [String: Int] = [:]
        var succeeded: Set<String> = []
        for row in try query(
            "SELECT handler, count(*), bool_or(succeeded) FROM handler_runs WHERE event_id = $1 AND replay = $2 GROUP BY handler",
            [.text(eventID), .int(replay)]
        ) {
            counts[row.text(0)] = row.int(1)
            if row.bool(2) { succeeded.insert(row.text(0)) }
        }
        return (counts, succeeded)
    }

    /// Handlers that succeeded for an event in its current replay; `.notFound` for an unknown id.
    func succeededHandlers(eventID: String) throws(EventStoreError) -> Set<String> {
        guard let row = try queryFirst("SELECT s.replay FROM \(Self.eventTables) WHERE e.id = $1", [.text(eventID)]) else {
            throw EventStoreError(.notFound, "no event \(eventID)")
        }
        return try handlerRunCounts(eventID: eventID, replay: row.int(0)).succeeded
    }

    /// Counts by status, claimed count and the oldest pending receive time.
    func summary() throws(EventStoreError) -> EventStoreSummary {
        var counts: [EventStatus: Int] = [:]
        for row in try query("SELECT status, count(*) FROM event_states GROUP BY status") {
            if let status = EventStatus(rawValue: row.text(0)) { counts[status] = row.int(1) }
        }
        // As SQLite counts them: a dead instance's lapsed claim counts until another instance takes it over.
        let pending = try queryFirst("SELECT count(claimed_by), min(received_at) FROM event_states WHERE status = 'pending'")
        return EventStoreSummary(counts: counts, claimed: pending?.int(0) ?? 0, oldestPendingReceivedAt: pending?.optionalInt64(1))
    }

    /// The event holding pending event `eventID` back (see `EventStore.blockingEvent`).
    func blockingEvent(of eventID: String, now: Int64) throws(EventStoreError) -> StoredEvent? {
        guard let waiting = try queryFirst("""
            SELECT s.seq, s.object_id, s.created FROM \(Self.eventTables)
            WHERE e.id = $1 AND s.status = 'pending' AND s.object_id IS NOT NULL AND (s.claimed_by IS NULL OR s.claim_expires_at <= $2)
            """, [.text(eventID), .integer(now)]) else { return nil }
        if let older = try queryFirst("""
            SELECT \(Self.eventColumns) FROM \(Self.eventTables)
            WHERE s.status = 'pending' AND s.object_id = $1 AND (s.created, s.seq) < ($3, $2) ORDER BY s.created, s.seq LIMIT 1
            """, [.text(waiting.text(1)), .integer(waiting.int64(0)), .integer(waiting.int64(2))]) {
            return try Self.storedEvent(from: older)
        }
        return try queryFirst("""
            SELECT \(Self.eventColumns) FROM \(Self.eventTables)
            WHERE s.status = 'pending' AND s.claimed_by IS NOT NULL AND s.object_id = $1 AND s.seq <> $2 AND s.claim_expires_at > $3
            ORDER BY s.seq LIMIT 1
            """, [.text(waiting.text(1)), .integer(waiting.int64(0)), .integer(now)]).map { row throws(EventStoreError) in try Self.storedEvent(from: row) }
    }

    /// The events `pruneChunk` would delete with the same cutoff, counted by status.
    func prunableCounts(olderThan cutoff: Int64, includeFailed: Bool) throws(EventStoreError) -> [EventStatus: Int] {
        let statuses = includeFailed ? "'done', 'failed'" : "'done'"
        var counts: [EventStatus: Int] = [:]
        for row in try query(
            "SELECT status, count(*) FROM event_states WHERE received_at < $1 AND status IN (\(statuses)) GROUP BY status", [.integer(cutoff)]
        ) {
            if let status = EventStatus(rawValue: row.text(0)) { counts[status] = row.int(1) }
        }
        return counts
    }
}
