import CSQLite

/// The event store's SQL: every statement runs on a connection its caller owns (the writer thread's
/// for writes, the locked reader for reads). Claims belong to a store instance, its `owner` id.
extension SQLiteConnection {
    /// The `events` columns `storedEvent(from:)` decodes, in order, for a query `FROM events` (not
    /// aliased); the body comes from `event_bodies` (migration 9), one primary-key lookup per row.
    static let eventColumns = """
        seq, id, type, object_id, created, livemode, account, api_version, \
        (SELECT b.body FROM event_bodies AS b WHERE b.seq = events.seq), received_at, verified_by, \
        status, attempts, next_attempt_at, last_error, updated_at, replay, claimed_by, claim_expires_at, source
        """

    // MARK: Writes (writer thread, inside its transaction)

    /// The insert of a received event. OR IGNORE, not ON CONFLICT (id) DO NOTHING: besides the id, only
    /// NOT NULL and CHECK constraints could fail, and the bound values always meet them; with no
    /// constraint left that could abort the statement, SQLite needs no statement journal (it copied
    /// every index page the insert touched into one, about a tenth of the insert's work).
    static let insertEventSQL = PreparedSQL("""
        INSERT OR IGNORE INTO events (id, type, object_id, created, livemode, account, api_version, received_at, verified_by, updated_at, source)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)

    /// The insert of a new event's body, under the `seq` its `events` row was given (migration 9). OR
    /// IGNORE for the same reason as `insertEventSQL` (the seq is new, the body never NULL).
    static let insertBodySQL = PreparedSQL("INSERT OR IGNORE INTO event_bodies (seq, body) VALUES (?, ?)")

    /// Inserts `record` as a pending event unless its id is stored; `true` when it was new. The hot
    /// path of the store: values are bound one by one, the body without a copy.
    func insertEvent(_ record: EventRecord) throws(EventStoreError) -> Bool {
        // A duplicate (even one earlier in the same batch) changes no row.
        let statement = try statement(Self.insertEventSQL)
        defer { statement.reset() }
        try statement.bind(1, text: record.id)
        try statement.bind(2, text: record.type)
        try statement.bind(3, text: record.objectID)
        try statement.bind(4, integer: record.created)
        try statement.bind(5, integer: record.livemode ? 1 : 0)
        try statement.bind(6, text: record.account)
        try statement.bind(7, text: record.apiVersion)
        try statement.bind(8, integer: record.receivedAt)
        try statement.bind(9, text: record.verifiedBy)
        try statement.bind(10, integer: record.receivedAt)
        try statement.bind(11, text: record.source.rawValue)
        while try statement.step() {}
        guard sqlite3_changes(handle) == 1 else { return false }
        // The body goes in once, appended at the end of `event_bodies` (seq only grows), and no later
        // write touches its page again.
        let sequence = sqlite3_last_insert_rowid(handle)
        let bodyStatement = try self.statement(Self.insertBodySQL)
        defer { bodyStatement.reset() }
        try bodyStatement.bind(1, integer: sequence)
        try bodyStatement.withBoundBlob(2, record.body) { () throws(EventStoreError) in
            while try bodyStatement.step() {}
        }
        return true
    }

    /// The `events` columns of `eventColumns`, qualified with the alias `e`.
    static let qualifiedEventColumns = """
        e.seq, e.id, e.type, e.object_id, e.created, e.livemode, e.account, e.api_version, \
        (SELECT b.body FROM event_bodies AS b WHERE b.seq = e.seq), e.received_at, \
        e.verified_by, e.status, e.attempts, e.next_attempt_at, e.last_error, e.updated_at, e.replay, e.claimed_by, \
        e.claim_expires_at, e.source
        """

    /// The candidates a claim walks, oldest first: `claim_candidates` (one per object with pending
    /// events, plus events about no object; see migrations 3 and 7) joined to their events as `e`. CROSS
    /// JOIN keeps the candidates as the outer loop, so `ORDER BY c.seq LIMIT` stops early.
    private static let claimCandidates = "claim_candidates AS c CROSS JOIN events AS e ON e.seq = c.seq"

    /// The claimability rule, shared by `claimDue` and `hasDueEvents`. Parameter ?1: now.
    ///
    /// INDEXED BY: without ANALYZE statistics SQLite answered the per-object subquery from a
    /// (status, seq) index and scanned every pending event per candidate (4 s for one claim over a
    /// 20,000-event backlog); the partial per-object indexes make them lookups. "Is an event about
    /// this object claimed?" has its own small index of claimed events: answered from the pending
    /// index, it read every pending row about the object (their leases are not in that index).
    /// "Created before" is two ranges, not the row value `(o.created, o.seq) < (e.created, e.seq)`:
    /// SQLite ranges that over `created <= e.created` and read every event of the same second (see
    /// migration 10).
    private static let claimableCondition = """
        e.status = 'pending'
        AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= ?1)
        AND (e.claimed_by IS NULL OR e.claim_expires_at <= ?1)
        AND (e.object_id IS NULL OR (
            NOT EXISTS (
                SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                WHERE o.status = 'pending' AND o.object_id = e.object_id AND o.created < e.created)
            AND NOT EXISTS (
                SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                WHERE o.status = 'pending' AND o.object_id = e.object_id AND o.created = e.created AND o.seq < e.seq)
            AND NOT EXISTS (
                SELECT 1 FROM events AS o INDEXED BY events_claimed_object
                WHERE o.status = 'pending' AND o.claimed_by IS NOT NULL AND o.object_id = e.object_id
                  AND o.seq <> e.seq AND o.claim_expires_at > ?1)))
        """

    /// Claims up to `limit` claimable events for `owner` until `expiresAt`, counting an attempt each,
    /// and skipping the ids in `running` (the owner's events still in progress, whose lease may have
    /// lapsed in a long handler).
    /// - Parameters:
    ///   - now: the current time.
    ///   - limit: most events to claim.
    ///   - owner: the claiming store instance.
    ///   - expiresAt: the new claims' lease expiry.
    ///   - running: ids never to claim.
    func claimDue(now: Int64, limit: Int, owner: String, expiresAt: Int64, skipping running: Set<String>) throws(EventStoreError) -> [WorkItem] {
        var claimed: [(event: StoredEvent, hasRuns: Bool, newer: String?)] = []
        claimed.reserveCapacity(limit)
        let statement = try statement(Self.claimDueSQL)
        defer { statement.reset() }
        try statement.bind(1, integer: now)
        try statement.bind(2, integer: Int64(limit + running.count))
        // Stepped row by row, and no further than the claim needs: a row is decoded (its body copied)
        // only when it is claimed, and SQLite stops judging candidates once `limit` are taken (the
        // LIMIT leaves room for the running ones, which are rarely among them: their lease is live).
        while claimed.count < limit, try statement.step() {
            let row = SQLiteRow(handle: statement.handle)
            if !running.isEmpty, running.contains(row.text(1)) { continue }
            claimed.append((try Self.storedEvent(from: row), row.bool(Self.claimHasRunsColumn), row.optionalText(Self.claimNewerEventColumn)))
        }
        statement.reset()
        try markClaimed(claimed.map(\.event.sequence), owner: owner, expiresAt: expiresAt, now: now)
        var items: [WorkItem] = []
        items.reserveCapacity(claimed.count)
        for (candidate, hasRuns, newer) in claimed {
            // Most events have no run yet in their replay: the counts' query runs only for those that do.
            let runs = hasRuns ? try handlerRunCounts(sequence: candidate.sequence, replay: candidate.replay) : (counts: [:], succeeded: [])
            items.append(WorkItem(
                event: candidate.record, attempt: candidate.attempts + 1, succeededHandlers: runs.succeeded,
                handlerRuns: runs.counts, newerHandledEventID: newer))
        }
        return items
    }

    /// The query of `claimDue`, built once (it is over 1.5 KB: built per claim, it was copied and then
    /// hashed whole to find its prepared statement). Parameters: ?1 now, ?2 most rows. After the
    /// columns of `storedEvent(from:)`: whether the event has runs in its replay, and the latest-created
    /// done event about its object that Stripe created after it, if any (the event is then stale): one
    /// primary-key lookup in `object_progress` (migration 13), which holds each object's latest-created
    /// done event, and for a stale event one more for that event's id. Neither is a statement of its
    /// own per claimed event any more; the claim's UPDATE changes neither.
    static let claimDueSQL = PreparedSQL("""
        SELECT \(qualifiedEventColumns), \
        EXISTS (SELECT 1 FROM handler_runs AS r WHERE r.event_seq = e.seq AND r.replay = e.replay), \
        (SELECT n.id FROM object_progress AS p JOIN events AS n ON n.seq = p.seq WHERE p.object_id = e.object_id AND p.created > e.created) \
        FROM \(claimCandidates) WHERE \(claimableCondition) ORDER BY c.seq LIMIT ?2
        """)

    /// The column of `claimDueSQL` that says whether the event has runs in its replay.
    static let claimHasRunsColumn: Int32 = 20
    /// The column of `claimDueSQL` with the newer handled event's id, or NULL.
    static let claimNewerEventColumn: Int32 = 21

    /// Seqs one claim UPDATE takes: a worker's whole batch (`EventDispatcher.claimBatch`) in one
    /// statement instead of one statement per event.
    static let claimUpdateWidth = 16

    /// The claim of up to `claimUpdateWidth` events by seq. Parameters: ?1 owner, ?2 lease expiry,
    /// ?3 now, then the seqs (NULL for unused places, which match no row).
    static let claimUpdateSQL = PreparedSQL("""
        UPDATE events SET claimed_by = ?1, claim_expires_at = ?2, attempts = attempts + 1, updated_at = ?3 \
        WHERE seq IN (\((4 ..< 4 + claimUpdateWidth).map { "?\($0)" }.joined(separator: ", ")))
        """)

    /// Claims the events `sequences` (just read as claimable in this transaction) for `owner`,
    /// counting an attempt each, `claimUpdateWidth` per statement.
    func markClaimed(_ sequences: [Int64], owner: String, expiresAt: Int64, now: Int64) throws(EventStoreError) {
        var start = 0
        while start < sequences.count {
            let chunk = sequences[start ..< min(start + Self.claimUpdateWidth, sequences.count)]
            var arguments: [SQLiteValue] = [.text(owner), .integer(expiresAt), .integer(now)]
            arguments.reserveCapacity(3 + Self.claimUpdateWidth)
            for sequence in chunk { arguments.append(.integer(sequence)) }
            while arguments.count < 3 + Self.claimUpdateWidth { arguments.append(.null) }
            let changed = try run(Self.claimUpdateSQL, arguments)
            guard changed == chunk.count else {
                throw EventStoreError(.unavailable, "claimed \(changed) of \(chunk.count) events read as claimable in the same transaction")
            }
            start += chunk.count
        }
    }

    /// Whether anything is claimable now; lets idle polling skip the write lock.
    func hasDueEvents(now: Int64) throws(EventStoreError) -> Bool {
        try queryFirst(Self.hasDueEventsSQL, [.integer(now)]) { _ in true } ?? false
    }

    /// The query of `hasDueEvents`. Parameter ?1: now.
    static let hasDueEventsSQL = PreparedSQL("SELECT 1 FROM \(claimCandidates) WHERE \(claimableCondition) ORDER BY c.seq LIMIT 1")

    /// Records a run for an event `owner` holds and extends the claim to at least `expiresAt`.
    func recordHandlerRun(eventID: String, run handlerRun: HandlerRun, owner: String, expiresAt: Int64) throws(EventStoreError) {
        let claim = try requireClaim(eventID: eventID, owner: owner, action: "record a handler run for")
        try insertHandlerRun(handlerRun, sequence: claim.sequence, replay: claim.replay)
        try run(Self.extendClaimSQL, [.integer(expiresAt), .integer(claim.sequence)])
    }

    /// Extends a claim to at least a time. Parameters: the time, the event's seq.
    static let extendClaimSQL = PreparedSQL("UPDATE events SET claim_expires_at = max(coalesce(claim_expires_at, 0), ?) WHERE seq = ?")

    /// The insert of a handler run, under its event's seq (migration 12).
    static let insertHandlerRunSQL = PreparedSQL("""
        INSERT INTO handler_runs (event_seq, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)

    /// Inserts one run of the event stored under `sequence`, in replay `replay`.
    private func insertHandlerRun(_ handlerRun: HandlerRun, sequence: Int64, replay: Int) throws(EventStoreError) {
        try run(Self.insertHandlerRunSQL, [
            .integer(sequence), .int(replay), .text(handlerRun.handler), .int(handlerRun.attempt), .integer(handlerRun.startedAt),
            .optionalInteger(handlerRun.finishedAt), .bool(handlerRun.succeeded), .optionalText(handlerRun.error), .optionalText(handlerRun.output),
        ])
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
        let changed = try run(
            Self.finishClaimSQL,
            [.text(status.rawValue), .optionalInteger(nextAttemptAt), .optionalText(error), .integer(now), .text(eventID), .text(owner)])
        if changed == 0 {
            try requireClaim(eventID: eventID, owner: owner, action: "mark \(status.rawValue)")
        }
    }

    /// The end of a claim by event id. Parameters: status, next attempt, error, now, id, owner.
    static let finishClaimSQL = PreparedSQL("""
        UPDATE events SET status = ?, next_attempt_at = ?, last_error = coalesce(?, last_error), updated_at = ?,
            claimed_by = NULL, claim_expires_at = NULL
        WHERE id = ? AND status = 'pending' AND claimed_by = ?
        """)

    /// The end of a claim by seq. Parameters: ?1 status, ?2 next attempt, ?3 error, ?4 now, ?5 seq, ?6 owner.
    static let reportOutcomeSQL = PreparedSQL("""
        UPDATE events SET status = ?1, next_attempt_at = ?2, last_error = coalesce(?3, last_error), updated_at = ?4,
            claimed_by = NULL, claim_expires_at = NULL
        WHERE seq = ?5 AND status = 'pending' AND claimed_by = ?6
        """)

    /// Records one outcome, its runs then its ending, for an event `owner` holds. A claim lost meanwhile
    /// (an operator requeued the event, or another instance took it over) is found before anything is
    /// written and returned, so the rest of the batch goes on. Past that check nothing about the claim
    /// can change (the writer holds the write lock), so a later failure is the database's own (a full
    /// disk, an I/O error): it is thrown, and the caller's whole write rolls back in the writer's
    /// savepoint and is reported again. No savepoint per outcome: each one made SQLite copy every page
    /// the outcome touched once more into its savepoint journal.
    func reportOutcome(_ outcome: EventOutcome, owner: String) throws(EventStoreError) -> EventStoreError? {
        let claim: (sequence: Int64, replay: Int)
        do throws(EventStoreError) {
            claim = try requireClaim(eventID: outcome.eventID, owner: owner, action: "record the outcome of")
        } catch where error.kind == .notFound || error.kind == .notClaimed {
            return error
        }
        for handlerRun in outcome.runs {
            try insertHandlerRun(handlerRun, sequence: claim.sequence, replay: claim.replay)
        }
        let ending: (status: EventStatus, nextAttemptAt: Int64?, error: String?)
        switch outcome.ending {
        case .done: ending = (.done, nil, nil)
        case .retry(let at, let error): ending = (.pending, at, error)
        case .failed(let error): ending = (.failed, nil, error)
        }
        // By seq, the row the check just read: no second lookup in the id index. Bound one by one: no
        // argument array per outcome.
        let statement = try statement(Self.reportOutcomeSQL)
        defer { statement.reset() }
        try statement.bind(1, text: ending.status.rawValue)
        try statement.bind(2, integer: ending.nextAttemptAt)
        try statement.bind(3, text: ending.error)
        try statement.bind(4, integer: outcome.now)
        try statement.bind(5, integer: claim.sequence)
        try statement.bind(6, text: owner)
        while try statement.step() {}
        guard sqlite3_changes(handle) == 1 else {
            throw EventStoreError(.unavailable, "event \(outcome.eventID) changed while its outcome was being recorded")
        }
        return nil
    }

    /// The event's seq and replay number when `owner` holds its claim; `.notFound` or `.notClaimed` otherwise.
    @discardableResult
    private func requireClaim(eventID: String, owner: String, action: String) throws(EventStoreError) -> (sequence: Int64, replay: Int) {
        let statement = try statement(Self.requireClaimSQL)
        defer { statement.reset() }
        try statement.bind(1, text: eventID)
        try statement.bind(2, text: owner)
        guard try statement.step() else { throw EventStoreError(.notFound, "cannot \(action) event \(eventID): no such event") }
        let row = SQLiteRow(handle: statement.handle)
        // The status and holder are read as strings only to say why the claim is not ours.
        guard row.bool(2) else {
            let holder = row.optionalText(4).map { "claimed by \($0)" } ?? "not claimed"
            throw EventStoreError(.notClaimed, "cannot \(action) event \(eventID): it is \(row.text(3)) and \(holder), not by this store (\(owner))")
        }
        return (row.int64(0), row.int(1))
    }

    /// An event's seq, replay, whether the owner holds its claim, its status and holder. Parameters:
    /// ?1 id, ?2 owner. `IS`: a NULL holder is "not ours", not NULL.
    static let requireClaimSQL = PreparedSQL(
        "SELECT seq, replay, status = 'pending' AND claimed_by IS ?2, status, claimed_by FROM events WHERE id = ?1")

    /// Returns every claim not held by `owner` to the pending pool; returns how many.
    func releaseClaims(except owner: String) throws(EventStoreError) -> Int {
        try run("UPDATE events SET claimed_by = NULL, claim_expires_at = NULL WHERE claimed_by IS NOT NULL AND claimed_by <> ?", [.text(owner)])
    }

    /// Extends every claim `owner` holds to `expiresAt`; returns how many.
    func renewClaims(owner: String, expiresAt: Int64) throws(EventStoreError) -> Int {
        try run("UPDATE events SET claim_expires_at = ? WHERE claimed_by = ?", [.integer(expiresAt), .text(owner)])
    }

    /// Requeues each id (see `EventStore.requeue`); a claim counts while its lease runs, or while `owner` holds it.
    func requeue(ids: [String], force: Bool, now: Int64, owner: String) throws(EventStoreError) -> [String: RequeueOutcome] {
        var outcomes: [String: RequeueOutcome] = [:]
        for id in ids {
            let found = try queryFirst("SELECT status, claimed_by, claim_expires_at FROM events WHERE id = ?", [.text(id)]) { row in
                (status: row.text(0), claimedBy: row.optionalText(1), expiresAt: row.optionalInt64(2))
            }
            guard let found else {
                outcomes[id] = .notFound
                continue
            }
            if found.status == EventStatus.pending.rawValue, let holder = found.claimedBy, holder == owner || (found.expiresAt ?? 0) > now {
                outcomes[id] = .claimed
                continue
            }
            if found.status == EventStatus.done.rawValue, !force {
                outcomes[id] = .needsForce
                continue
            }
            // A forced replay of a done event starts a new replay, so every handler runs again; a failed
            // or pending event keeps its replay and reruns only the handlers that have not succeeded.
            try run("""
                UPDATE events SET replay = replay + (CASE status WHEN 'done' THEN 1 ELSE 0 END),
                    status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, claimed_by = NULL, claim_expires_at = NULL
                WHERE id = ?
                """, [.integer(now), .integer(now), .text(id)])
            outcomes[id] = .requeued
        }
        return outcomes
    }

    /// Requeues failed events whose type matches `pattern`; returns how many.
    func requeueFailed(matching pattern: EventTypePattern, now: Int64) throws(EventStoreError) -> Int {
        let filter = Self.typeFilter(pattern, column: "type")
        return try run("""
            UPDATE events SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, claimed_by = NULL, claim_expires_at = NULL
            WHERE status = 'failed'\(filter.sql.isEmpty ? "" : " AND " + filter.sql)
            """, [.integer(now), .integer(now)] + filter.arguments)
    }

    /// Deletes up to `limit` prunable events (and, by triggers, their bodies and runs); returns how many. The
    /// candidates come from `events_received` up to the cutoff, so the last chunk stops there instead
    /// of walking every newer event.
    func pruneChunk(olderThan cutoff: Int64, includeFailed: Bool, limit: Int) throws(EventStoreError) -> Int {
        let statuses = includeFailed ? "'done', 'failed'" : "'done'"
        return try run("""
            DELETE FROM events WHERE seq IN (
                SELECT seq FROM events INDEXED BY events_received WHERE received_at < ? AND status IN (\(statuses)) LIMIT ?)
            """, [.integer(cutoff), .int(limit)])
    }

    // MARK: Reads

    /// One event with its runs, or `nil`.
    func storedEvent(id: String) throws(EventStoreError) -> StoredEvent? {
        guard var event = try queryFirst("SELECT \(Self.eventColumns) FROM events WHERE id = ?", [.text(id)], Self.storedEvent(from:)) else {
            return nil
        }
        event.handlers = try handlerRuns(sequence: event.sequence)
        return event
    }

    /// Events newest first, filtered; each with its runs.
    func listEvents(status: EventStatus?, pattern: EventTypePattern, since: Int64?, limit: Int) throws(EventStoreError) -> [StoredEvent] {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let status {
            // A literal, not a parameter: only then can SQLite use the partial index of that status.
            conditions.append("status = '\(status.rawValue)'")
        }
        let filter = Self.typeFilter(pattern, column: "type")
        if !filter.sql.isEmpty {
            conditions.append(filter.sql)
            arguments += filter.arguments
        }
        if let since {
            conditions.append("received_at >= ?")
            arguments.append(.integer(since))
        }
        let filters = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments.append(.int(limit))
        var events = try query("SELECT \(Self.eventColumns) FROM events\(filters) ORDER BY seq DESC LIMIT ?", arguments, Self.storedEvent(from:))
        for index in events.indices {
            events[index].handlers = try handlerRuns(sequence: events[index].sequence)
        }
        return events
    }

    /// Every run recorded for the event stored under `sequence`, oldest first.
    func handlerRuns(sequence: Int64) throws(EventStoreError) -> [HandlerRun] {
        try query("""
            SELECT handler, attempt, started_at, finished_at, succeeded, error, output, replay
            FROM handler_runs WHERE event_seq = ? ORDER BY rowid
            """, [.integer(sequence)]) { row in
            HandlerRun(
                handler: row.text(0), attempt: row.int(1), startedAt: row.int64(2), finishedAt: row.optionalInt64(3),
                succeeded: row.bool(4), error: row.optionalText(5), output: row.optionalText(6), replay: row.int(7)
            )
        }
    }

    /// Handlers that succeeded for the event stored under `sequence` in replay `replay`.
    func succeededHandlers(sequence: Int64, replay: Int) throws(EventStoreError) -> Set<String> {
        Set(try query(
            "SELECT DISTINCT handler FROM handler_runs WHERE event_seq = ? AND replay = ? AND succeeded = 1",
            [.integer(sequence), .int(replay)]
        ) { $0.text(0) })
    }

    /// Each handler's recorded runs for the event stored under `sequence` in replay `replay`, and the
    /// handlers that succeeded.
    func handlerRunCounts(sequence: Int64, replay: Int) throws(EventStoreError) -> (counts: [String: Int], succeeded: Set<String>) {
        var counts: [String: Int] = [:]
        var succeeded: Set<String> = []
        let rows = try query(Self.handlerRunCountsSQL, [.integer(sequence), .int(replay)]) { (handler: $0.text(0), runs: $0.int(1), succeeded: $0.bool(2)) }
        for row in rows {
            counts[row.handler] = row.runs
            if row.succeeded { succeeded.insert(row.handler) }
        }
        return (counts, succeeded)
    }

    /// The query of `handlerRunCounts`. Parameters: seq, replay.
    static let handlerRunCountsSQL = PreparedSQL(
        "SELECT handler, count(*), max(succeeded) FROM handler_runs WHERE event_seq = ? AND replay = ? GROUP BY handler")

    /// Handlers that succeeded for an event in its current replay; `.notFound` for an unknown id.
    func succeededHandlers(eventID: String) throws(EventStoreError) -> Set<String> {
        guard let found = try queryFirst("SELECT seq, replay FROM events WHERE id = ?", [.text(eventID)], { (sequence: $0.int64(0), replay: $0.int(1)) }) else {
            throw EventStoreError(.notFound, "no event \(eventID)")
        }
        return try succeededHandlers(sequence: found.sequence, replay: found.replay)
    }

    /// Counts by status, claimed count and the oldest pending receive time.
    func summary() throws(EventStoreError) -> EventStoreSummary {
        var counts: [EventStatus: Int] = [:]
        // From indexes only: every event, then the pending and the failed ones; the rest are done.
        let total = try queryFirst("SELECT count(*) FROM events", []) { $0.int(0) } ?? 0
        let pendingCount = try queryFirst("SELECT count(*) FROM events WHERE status = 'pending'", []) { $0.int(0) } ?? 0
        let failedCount = try queryFirst("SELECT count(*) FROM events WHERE status = 'failed'", []) { $0.int(0) } ?? 0
        for (status, count) in [(EventStatus.pending, pendingCount), (.failed, failedCount), (.done, total - pendingCount - failedCount)] where count > 0 {
            counts[status] = count
        }
        let pending = try queryFirst(
            "SELECT count(claimed_by), min(received_at) FROM events WHERE status = 'pending'", []
        ) { (claimed: $0.int(0), oldest: $0.optionalInt64(1)) }
        return EventStoreSummary(counts: counts, claimed: pending?.claimed ?? 0, oldestPendingReceivedAt: pending?.oldest)
    }

    // MARK: Decoding and filters

    /// Decodes a row of `eventColumns` (without handler runs).
    static func storedEvent(from row: SQLiteRow) throws(EventStoreError) -> StoredEvent {
        let record = EventRecord(
            id: row.text(1), type: row.text(2), objectID: row.optionalText(3), created: row.int64(4), livemode: row.bool(5),
            account: row.optionalText(6), apiVersion: row.optionalText(7), body: row.blob(8), receivedAt: row.int64(9),
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

    /// SQL matching `column` against `pattern`, with its `?` parameters' values.
    static func typeFilter(_ pattern: EventTypePattern, column: String) -> (sql: String, arguments: [SQLiteValue]) {
        switch pattern.form {
        case .any:
            return ("", [])
        case .exact(let type):
            return ("\(column) = ?", [.text(type)])
        case .prefix(let prefix):
            // `invoice.` ≤ type < `invoice/` ('/' follows '.' in byte order): every type under the prefix
            // and nothing else — `invoiceitem.created` sorts after `invoice/`.
            let upper = String(prefix.dropLast()) + "/"
            return ("\(column) >= ? AND \(column) < ?", [.text(prefix), .text(upper)])
        }
    }
}
