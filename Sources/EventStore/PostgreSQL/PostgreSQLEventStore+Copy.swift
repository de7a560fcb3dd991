/// What `PostgreSQLEventStore.copy(fromSQLite:)` did.
public struct StoreCopyReport: Sendable, Equatable {
    /// Events copied (new in the destination), with their state.
    public var copiedEvents = 0
    /// Events the destination held already (a second run, or Stripe delivered them to both): untouched.
    public var skippedEvents = 0
    /// Handler runs copied with the copied events.
    public var handlerRuns = 0
    /// Dedupe keys copied (a key the destination holds already stays with its holder).
    public var dedupeKeys = 0

    /// Nothing copied yet.
    public init() {}
}

extension PostgreSQLEventStore {
    /// Events copied per transaction.
    static let copyChunk = 200

    /// Copies an SQLite store (events oldest first, with their status, attempts, retry time, last
    /// error, replay and handler runs, then the dedupe keys) into this store, for users who outgrow
    /// one machine. Events already here are skipped with everything about them, so running it twice
    /// copies nothing twice. Claims are not copied: stop the daemon on the SQLite store first (its
    /// claimed events arrive pending, and are handled again).
    /// - Parameter path: the SQLite database file, opened read-only.
    public func copy(fromSQLite path: String) throws(EventStoreError) -> StoreCopyReport {
        let source = try SQLiteEventStore(path: path, logger: logger, options: .readOnly)
        defer { source.close() }
        // Oldest first: the destination's store order breaks ties of `created` per object as the source's did.
        let events = Array(try source.list(status: nil, typePattern: nil, since: nil, limit: Int.max).reversed())
        var report = StoreCopyReport()
        var start = 0
        while start < events.count {
            let chunk = Array(events[start..<min(start + Self.copyChunk, events.count)])
            start += chunk.count
            let (copied, runs) = try write("copy \(chunk.count) events") { connection throws(EventStoreError) in
                let new = try connection.insertEvents(chunk.map(\.record))
                var runs = 0
                for event in chunk where new.contains(event.record.id) {
                    try connection.run("""
                        UPDATE event_states AS s SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, updated_at = $6, replay = $7
                        FROM events AS e WHERE e.seq = s.seq AND e.id = $1
                        """, [
                            .text(event.record.id), .text(event.status.rawValue), .int(event.attempts), .optionalInteger(event.nextAttemptAt),
                            .optionalText(event.lastError), .integer(event.updatedAt), .int(event.replay),
                        ])
                    for handlerRun in event.handlers {
                        try connection.run("""
                            INSERT INTO handler_runs (event_id, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                            """, [
                                .text(event.record.id), .int(handlerRun.replay), .text(handlerRun.handler), .int(handlerRun.attempt),
                                .integer(handlerRun.startedAt), .optionalInteger(handlerRun.finishedAt), .bool(handlerRun.succeeded),
                                .optionalText(handlerRun.error), .optionalText(handlerRun.output),
                            ])
                        runs += 1
                    }
                }
                return (new.count, runs)
            }
            report.copiedEvents += copied
            report.skippedEvents += chunk.count - copied
            report.handlerRuns += runs
        }
        let keys = try Self.handlerKeys(inSQLite: path)
        start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + Self.copyChunk * 5, keys.count)])
            start += chunk.count
            report.dedupeKeys += try write("copy \(chunk.count) dedupe keys") { connection throws(EventStoreError) in
                var copied = 0
                for key in chunk {
                    copied += try connection.run("""
                        INSERT INTO handler_keys (handler, key, event_id, claimed_at)
                        SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM events WHERE id = $3)
                        ON CONFLICT (handler, key) DO NOTHING
                        """, [.text(key.handler), .text(key.key), .text(key.eventID), .integer(key.claimedAt)])
                }
                return copied
            }
        }
        return report
    }

    /// The dedupe keys of an SQLite store.
    private static func handlerKeys(inSQLite path: String) throws(EventStoreError) -> [(handler: String, key: String, eventID: String, claimedAt: Int64)] {
        let connection = try SQLiteConnection(path: path, readOnly: true, create: false)
        defer { connection.close() }
        return try connection.query("SELECT handler, key, event_id, claimed_at FROM handler_keys ORDER BY claimed_at") { row in
            (handler: row.text(0), key: row.text(1), eventID: row.text(2), claimedAt: row.int64(3))
        }
    }
}
