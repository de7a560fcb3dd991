/// The PostgreSQL store's writes: each runs on the writer's connection inside the batch transaction
/// (and its own savepoint). Claims belong to a store instance, its `owner` id, and are leases.
extension PostgreSQLConnection {
    /// The columns `storedEvent(from:)` decodes, from `events AS e JOIN event_states AS s`.
    static let eventColumns = """
        e.seq, e.id, e.type, e.object_id, e.created, e.livemode, e.account, e.api_version, e.body, e.received_at, e.verified_by, \
        s.status, s.attempts, s.next_attempt_at, s.last_error, s.updated_at, s.replay, s.claimed_by, s.claim_expires_at, e.source
        """

    /// The join every event read uses.
    static let eventTables = "events AS e JOIN event_states AS s ON s.seq = e.seq"

    /// Rows per multi-row insert statement (12 parameters each, under PostgreSQL's 65,535).
    static let insertChunk = 500

    /// Inserts the records unless their ids are stored (duplicates in the batch once), each with a
    /// pending state; returns the ids that were new.
    func insertEvents(_ records: [EventRecord]) throws(EventStoreError) -> Set<String> {
        var unique: [EventRecord] = []
        var seen: Set<String> = []
        for record in records where seen.insert(record.id).inserted { unique.append(record) }
        var stored: Set<String> = []
        var start = 0
        while start < unique.count {
            let chunk = unique[start..<min(start + Self.insertChunk, unique.count)]
            start += chunk.count
            var rows: [String] = []
            var parameters: [PostgreSQLValue] = []
            parameters.reserveCapacity(chunk.count * 11)
            for record in chunk {
                let base = parameters.count
                rows.append("(" + (1...11).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                parameters += [
                    .text(record.id), .text(record.type), .optionalText(record.objectID), .integer(record.created), .bool(record.livemode),
                    .optionalText(record.account), .optionalText(record.apiVersion), .bytes(record.body), .integer(record.receivedAt),
                    .optionalText(record.verifiedBy), .text(record.source.rawValue),
                ]
            }
            // The state rows come with the events in the same statement; ON CONFLICT waits for a
            // concurrent insert of the same id by another instance and then skips it.
            let inserted = try query("""
                WITH inserted AS (
                    INSERT INTO events (id, type, object_id, created, livemode, account, api_version, body, received_at, verified_by, source)
                    VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (id) DO NOTHING
                    RETURNING seq, id, object_id, created, received_at),
                states AS (
                    INSERT INTO event_states (seq, object_id, created, received_at, updated_at)
                    SELECT seq, object_id, created, received_at, received_at FROM inserted)
                SELECT id FROM inserted
                """, parameters)
            for row in inserted { stored.insert(row.text(0)) }
        }
        return stored
    }

    /// The claimability rule for state rows `s` (see `EventStore.claimDue`); parameter `$1`: now.
    static let claimableCondition = """
        s.status = 'pending'
        AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= $1)
        AND (s.claimed_by IS NULL OR s.claim_expires_at <= $1)
        AND (s.object_id IS NULL OR (
            NOT EXISTS (
                SELECT 1 FROM event_states AS o
                WHERE o.status = 'pending' AND o.object_id = s.object_id AND (o.created, o.seq) < (s.created, s.seq))
            AND NOT EXISTS (
                SELECT 1 FROM event_states AS o
                WHERE o.status = 'pending' AND o.claimed_by IS NOT NULL AND o.object_id = s.object_id
                  AND o.seq <> s.seq AND o.claim_expires_at > $1)))
        """

    /// Claims up to `limit` claimable events for `owner` until `expiresAt`, counting an attempt each and
    /// skipping `running`. Candidates are locked `FOR UPDATE SKIP LOCKED` (another instance's claim
    /// in progress is passed over, not waited for); per object, a transaction-scoped advisory lock
    /// taken before the claim is re-checked on a fresh snapshot makes two instances' concurrent claims
    /// about one object impossible (the second either fails to take the lock or sees the first's commit).
    /// - Parameters:
    ///   - now: the current time.
    ///   - limit: most events to claim.
    ///   - owner: the claiming store instance.
    ///   - expiresAt: the new claims' lease expiry.
    ///   - running: ids never to claim.
    func claimDue(now: Int64, limit: Int, owner: String, expiresAt: Int64, skipping running: Set<String>) throws(EventStoreError) -> [WorkItem] {
        let candidates = try query("""
            SELECT s.seq, s.object_id, e.id FROM event_states AS s JOIN events AS e ON e.seq = s.seq
            WHERE \(Self.claimableCondition)
            ORDER BY s.seq LIMIT $2 FOR UPDATE OF s SKIP LOCKED
            """, [.integer(now), .int(limit + running.count)])
        var claimed: [Int64] = []
        for candidate in candidates where !running.contains(candidate.text(2)) && claimed.count < limit {
            if let object = candidate.optionalText(1) {
                let locked = try queryFirst("SELECT pg_try_advisory_xact_lock(\(Self.objectLockSpace), hashtext($1))", [.text(object)])?.bool(0) ?? false
                guard locked else { continue }
            }
            let changed = try run("""
                UPDATE event_states AS s SET claimed_by = $3, claim_expires_at = $4, attempts = s.attempts + 1, updated_at = $1
                WHERE s.seq = $2 AND \(Self.claimableCondition)
                """, [.integer(now), .integer(candidate.int64(0)), .text(owner), .integer(expiresAt)])
            if changed == 1 { claimed.append(candidate.int64(0)) }
        }
        guard !claimed.isEmpty else { return [] }
        let events = try query(
            "SELECT \(Self.eventColumns) FROM \(Self.eventTables) WHERE e.seq = ANY($1::bigint[]) ORDER BY e.seq",
            [.text("{" + claimed.map(String.init).joined(separator: ",") + "}")]
        ).map { row throws(EventStoreError) in try Self.storedEvent(from: row) }
        var items: [WorkItem] = []
        for event in events {
            let runs = try handlerRunCounts(eventID: event.record.id, replay: event.replay)
            let newer = try newerHandledEvent(than: event.record)
            items.append(WorkItem(
                event: event.record, attempt: event.attempts, succeededHandlers: runs.succeeded, handlerRuns: runs.counts,
                newerHandledEventID: newer))
        }
        return items
    }

    /// The first key of the two-key advisory locks that guard claims per object.
    static let objectLockSpace: Int32 = 0x5748_4F42

    /// The latest-created done event about `record`'s object that Stripe created after it, if any.
    func newerHandledEvent(than record: EventRecord) throws(EventStoreError) -> String? {
        guard let object = record.objectID else { return nil }
        return try queryFirst("""
            SELECT e.id FROM event_states AS s JOIN events AS e ON e.seq = s.seq
            WHERE s.status = 'done' AND s.object_id = $1 AND s.created > $2 ORDER BY s.created DESC LIMIT 1
            """, [.text(object), .integer(record.created)])?.text(0)
    }

    /// Whether anything is claimable now; lets idle polling skip the writer.
    func hasDueEvents(now: Int64) throws(EventStoreError) -> Bool {
        try queryFirst("SELECT 1 FROM event_states AS s WHERE \(Self.claimableCondition) LIMIT 1", [.integer(now)]) != nil
    }

    /// Inserts one handler run row.
    private func insertRun(eventID: String, replay: Int, _ handlerRun: HandlerRun) throws(EventStoreError) {
        try run("""
            INSERT INTO handler_runs (event_id, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [
                .text(eventID), .int(replay), .text(handlerRun.handler), .int(handlerRun.attempt), .integer(handlerRun.startedAt),
                .optionalInteger(handlerRun.finishedAt), .bool(handlerRun.succeeded), .optionalText(handlerRun.error), .optionalText(handlerRun.output),
            ])
    }

    /// Records a run for an event `owner` holds and extends the claim to at least `expiresAt`.
    func recordHandlerRun(eventID: String, run handlerRun: HandlerRun, owner: String, expiresAt: Int64) throws(EventStoreError) {
        let claim = try requireClaim(eventID: eventID, owner: owner, action: "record a handler run for")
        try insertRun(eventID: eventID, replay: claim.replay, handlerRun)
        try run("UPDATE event_states SET claim_expires_at = greatest(coalesce(claim_expires_at, 0), $1) WHERE seq = $2", [.integer(expiresAt), .integer(claim.sequence)])
    }

    /// Ends `owner`'s claim on an event with a new status, next attempt time and error.
    /// - Parameters:
    ///   - eventID: the event.
    ///   - owner: the claim holder.
    ///   - status: the new status.
    ///   - nextAttemptAt: when a pending event is due again.
    ///   - error: the error to remember; `nil` keeps the last one.
    ///   - now: the update time.
    func finishClaim(eventID: String, owner: String, status: EventStatus, nextAttemptAt: Int64?, error: String?, now: Int64) throws(EventStoreError) {
        let claim = try requireClaim(eventID: eventID, owner: owner, action: "mark \(status.rawValue)")
        try run("""
            UPDATE event_states SET status = $1, next_attempt_at = $2, last_error = coalesce($3, last_error), updated_at = $4,
                claimed_by = NULL, claim_expires_at = NULL
            WHERE seq = $5
            """, [.text(status.rawValue), .optionalInteger(nextAttemptAt), .optionalText(error), .integer(now), .integer(claim.sequence)])
    }

    /// Records one outcome (its runs, then its ending) inside a savepoint; returns its failure. A lost
    /// connection is returned too, and the writer then fails the whole batch.
    func reportIsolated(_ outcome: EventOutcome, owner: String) -> EventStoreError? {
        do throws(EventStoreError) {
            try execute("SAVEPOINT outcome")
            do throws(EventStoreError) {
                let claim = try requireClaim(eventID: outcome.eventID, owner: owner, action: "record the outcome of")
                for handlerRun in outcome.runs { try insertRun(eventID: outcome.eventID, replay: claim.replay, handlerRun) }
                switch outcome.ending {
                case .done:
                    try finishClaim(eventID: outcome.eventID, owner: owner, status: .done, nextAttemptAt: nil, error: nil, now: outcome.now)
                case .retry(let at, let error):
                    try finishClaim(eventID: outcome.eventID, owner: owner, status: .pending, nextAttemptAt: at, error: error, now: outcome.now)
                case .failed(let error):
                    try finishClaim(eventID: outcome.eventID, owner: owner, status: .failed, nextAttemptAt: nil, error: error, now: outcome.now)
                }
                try execute("RELEASE SAVEPOINT outcome")
                return nil
            } catch {
                if isBroken { return error }
                try execute("ROLLBACK TO SAVEPOINT outcome; RELEASE SAVEPOINT outcome")
                return error
            }
        } catch {
            return error
        }
    }

    /// The event's state row and replay when `owner` holds its claim (row-locked until the commit);
    /// `.notFound` or `.notClaimed` otherwise.
    func requireClaim(eventID: String, owner: String, action: String) throws(EventStoreError) -> (sequence: Int64, replay: Int) {
        guard let found = try queryFirst("""
            SELECT s.seq, s.status, s.claimed_by, s.replay FROM event_states AS s JOIN events AS e ON e.seq = s.seq
            WHERE e.id = $1 FOR UPDATE OF s
            """, [.text(eventID)]) else {
            throw EventStoreError(.notFound, "cannot \(action) event \(eventID): no such event")
        }
        guard found.text(1) == EventStatus.pending.rawValue, found.optionalText(2) == owner else {
            let holder = found.optionalText(2).map { "claimed by \($0)" } ?? "not claimed"
            throw EventStoreError(.notClaimed, "cannot \(action) event \(eventID): it is \(found.text(1)) and \(holder), not by this store (\(owner))")
        }
        return (found.int64(0), found.int(3))
    }

    /// Ends `owner`'s claims on `eventIDs` without a run, the attempt taken back; returns how many.
    func release(eventIDs: [String], owner: String) throws(EventStoreError) -> Int {
        try run("""
            UPDATE event_states AS s SET claimed_by = NULL, claim_expires_at = NULL, attempts = greatest(s.attempts - 1, 0)
            FROM events AS e
            WHERE e.seq = s.seq AND e.id = ANY($1::text[]) AND s.status = 'pending' AND s.claimed_by = $2
            """, [.textArray(eventIDs), .text(owner)])
    }

    /// Extends the claims `owner` holds on `eventIDs` (the events its workers run) to `expiresAt`;
    /// returns how many. A claim of `owner` that no worker holds (its claim's commit outcome was
    /// unknown) is not renewed, so that it lapses and the event is claimed again.
    func renewClaims(owner: String, eventIDs: Set<String>, expiresAt: Int64) throws(EventStoreError) -> Int {
        try run("""
            UPDATE event_states AS s SET claim_expires_at = $1 FROM events AS e
            WHERE e.seq = s.seq AND s.claimed_by = $2 AND s.status = 'pending' AND e.id = ANY($3::text[])
            """, [.integer(expiresAt), .text(owner), .text(Self.textArray(eventIDs))])
    }

    /// `values` as a PostgreSQL text array literal, each element double-quoted with `\` and `"` escaped.
    static func textArray(_ values: Set<String>) -> String {
        let elements = values.sorted().map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + elements.joined(separator: ",") + "}"
    }

    /// Inserts the dedupe key for `eventID` unless it is held, then returns the holder. A concurrent
    /// claim of the same key by another instance makes the insert wait for that one's commit.
    func claimHandlerKey(handler: String, key: String, eventID: String, now: Int64) throws(EventStoreError) -> String {
        try run("""
            INSERT INTO handler_keys (handler, key, event_id, claimed_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (handler, key) DO NOTHING
            """, [.text(handler), .text(key), .text(eventID), .integer(now)])
        guard let holder = try queryFirst("SELECT event_id FROM handler_keys WHERE handler = $1 AND key = $2", [.text(handler), .text(key)]) else {
            throw EventStoreError(.unavailable, "dedupe key for \(handler): not found right after it was claimed")
        }
        return holder.text(0)
    }

    /// Requeues each id (see `EventStore.requeue`); a claim counts while its lease runs, or while `owner` holds it.
    func requeue(ids: [String], force: Bool, now: Int64, owner: String) throws(EventStoreError) -> [String: RequeueOutcome] {
        var outcomes: [String: RequeueOutcome] = [:]
        for id in ids {
            guard let found = try queryFirst("""
                SELECT s.seq, s.status, s.claimed_by, s.claim_expires_at FROM event_states AS s JOIN events AS e ON e.seq = s.seq
                WHERE e.id = $1 FOR UPDATE OF s
                """, [.text(id)]) else {
                outcomes[id] = .notFound
                continue
            }
            if found.text(1) == EventStatus.pending.rawValue, let holder = found.optionalText(2), holder == owner || (found.optionalInt64(3) ?? 0) > now {
                outcomes[id] = .claimed
                continue
            }
            if found.text(1) == EventStatus.done.rawValue, !force {
                outcomes[id] = .needsForce
                continue
            }
            // A forced replay of a done event starts a new replay, so every handler runs again.
            try run("""
                UPDATE event_states SET replay = replay + (CASE status WHEN 'done' THEN 1 ELSE 0 END),
                    status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1, claimed_by = NULL, claim_expires_at = NULL
                WHERE seq = $2
                """, [.integer(now), .integer(found.int64(0))])
            outcomes[id] = .requeued
        }
        return outcomes
    }

    /// Requeues failed events whose type matches `pattern`; returns how many.
    func requeueFailed(matching pattern: EventTypePattern, now: Int64) throws(EventStoreError) -> Int {
        let filter = Self.typeFilter(pattern, column: "e.type", firstParameter: 2)
        return try run("""
            UPDATE event_states AS s SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1, claimed_by = NULL, claim_expires_at = NULL
            FROM events AS e
            WHERE e.seq = s.seq AND s.status = 'failed'\(filter.sql.isEmpty ? "" : " AND " + filter.sql)
            """, [.integer(now)] + filter.arguments)
    }

    /// Deletes up to `limit` prunable events (their states, runs and keys by cascade); returns how many.
    func pruneChunk(olderThan cutoff: Int64, includeFailed: Bool, limit: Int) throws(EventStoreError) -> Int {
        let statuses = includeFailed ? "'done', 'failed'" : "'done'"
        return try run("""
            DELETE FROM events WHERE seq IN (
                SELECT seq FROM event_states WHERE received_at < $1 AND status IN (\(statuses)) LIMIT $2)
            """, [.integer(cutoff), .int(limit)])
    }

    /// SQL matching `column` against `pattern`, with its parameters numbered from `firstParameter`.
    static func typeFilter(_ pattern: EventTypePattern, column: String, firstParameter: Int) -> (sql: String, arguments: [PostgreSQLValue]) {
        switch pattern.form {
        case .any:
            return ("", [])
        case .exact(let type):
            return ("\(column) = $\(firstParameter)", [.text(type)])
        case .prefix(let prefix):
            // Byte order (COLLATE "C"): `invoice.` ≤ type < `invoice/` holds every type under the prefix.
            let upper = String(prefix.dropLast()) + "/"
            return ("\(column) COLLATE \"C\" >= $\(firstParameter) AND \(column) COLLATE \"C\" < $\(firstParameter + 1)", [.text(prefix), .text(upper)])
        }
    }

    /// Decodes a row of `eventColumns` (without handler runs).
    static func storedEvent(from row: PostgreSQLRow) throws(EventStoreError) -> StoredEvent {
        let record = EventRecord(
            id: row.text(1), type: row.text(2), objectID: row.optionalText(3), created: row.int64(4), livemode: row.bool(5),
            account: row.optionalText(6), apiVersion: row.optionalText(7), body: row.bytes(8), receivedAt: row.int64(9),
            verifiedBy: row.optionalText(10), source: EventSource(rawValue: row.text(19)) ?? .webhook
        )
        guard let status = EventStatus(rawValue: row.text(11)) else {
            throw EventStoreError(.schema, "event \(record.id) has unknown status '\(row.text(11))'")
        }
        return StoredEvent(
            record: record, sequence: row.int64(0), status: status, attempts: row.int(12), nextAttemptAt: row.optionalInt64(13),
            lastError: row.optionalText(14), updatedAt: row.int64(15), replay: row.int(16), claimedBy: row.optionalText(17),
            claimExpiresAt: row.optionalInt64(18), handlers: []
        )
    }
}
