import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The event store in one SQLite file: WAL journal, `synchronous=FULL`, every write committed by a
/// dedicated writer thread in shared transactions (group commit), reads on a second, read-only
/// connection. Other processes (operator commands) may open the same file at the same time.
///
/// A new database file is created with mode 0600 (events hold customer data); its directory must
/// exist — the store does not create directories, so that a mistyped path fails loudly.
public final class SQLiteEventStore: EventStore {
    /// The reader connection's lifecycle.
    private enum ReaderState {
        /// Open for queries.
        case open(SQLiteConnection)
        /// `close()` ran.
        case closed
    }

    /// The database file.
    public let path: String
    /// The options it was opened with.
    public let options: SQLiteEventStore.Options
    /// The id this instance's claims are held under.
    public let owner: String
    /// Reports migrations, released claims and write failures, with `store.path`.
    private let logger: Logger
    /// The writer thread; `nil` when opened read-only.
    private let writer: SQLiteWriter?
    /// The read-only connection for queries, one caller at a time.
    private let reader: LockedValue<ReaderState>
    /// Events this instance claimed and has not yet reported on: never claimed again meanwhile,
    /// even if a long handler outlives the lease, or its report failed and is to be retried.
    let inFlight = LockedValue<Set<String>>([])
    /// The owner lock when `options.ownerLock` asked for it; released at `close()`.
    private let ownerLock: LockedValue<StoreOwnerLock?>

    /// Opens (creating and migrating if needed) the database at `path`. Blocks while SQLite opens the
    /// file: call it at start-up, off the cooperative pool.
    /// - Parameters:
    ///   - path: the database file; its directory must exist.
    ///   - logger: where migrations and write failures are reported.
    ///   - options: read-only mode, timeouts and limits.
    ///   - observer: told how long each write transaction took (metrics).
    public init(path: String, logger: Logger, options: SQLiteEventStore.Options = SQLiteEventStore.Options(), observer: (any EventStoreObserver)? = nil) throws(EventStoreError) {
        self.path = path
        self.options = options
        self.owner = options.owner ?? Self.defaultOwner()
        var logger = logger
        logger[metadataKey: "store.path"] = path
        self.logger = logger

        if options.readOnly {
            ownerLock = LockedValue(nil)
            guard access(path, F_OK) == 0 else {
                throw EventStoreError(.invalidArgument, "no event database at \(path)")
            }
            let connection = try SQLiteConnection(path: path, readOnly: true, create: false)
            connection.setBusyTimeout(milliseconds: Int(options.busyTimeout.milliseconds))
            try SQLiteSchema.check(connection, allowOlder: false)
            writer = nil
            reader = LockedValue(.open(connection))
            return
        }

        try Self.createFileIfMissing(path)
        // Before anything writes (migrations, and later the start-up recovery that releases other
        // instances' claims): a second daemon on this store stops here.
        if options.ownerLock {
            ownerLock = LockedValue(try StoreOwnerLock(databasePath: path))
        } else {
            ownerLock = LockedValue(nil)
        }
        let connection = try SQLiteConnection(path: path, readOnly: false, create: true)
        guard case .found(let identity) = DatabaseFileIdentity.lookUp(path) else {
            throw EventStoreError(.unavailable, "\(path) vanished while it was being opened")
        }
        connection.setBusyTimeout(milliseconds: Int(options.busyTimeout.milliseconds))
        // Takes effect only while the file is empty (a new store); an existing store keeps its size.
        try connection.execute("PRAGMA page_size = \(Self.newDatabasePageSize)")
        let mode = try connection.pragmaText("journal_mode = WAL")
        guard mode.lowercased() == "wal" else {
            throw EventStoreError(.unavailable, "\(path): could not switch to WAL journaling (journal_mode is \(mode))")
        }
        // FULL: every commit fsyncs the WAL, so that an acknowledged event survives a power cut.
        try connection.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 67108864")
        // The savepoint journal (the page copies that let one write in a batch roll back alone) in
        // memory, as SQLite's other temporary files: past 64 KiB SQLite spilled it to a file in
        // /var/tmp, opened, written and deleted per batch (27 pwrite64 per handled event, three times
        // the WAL's). It never holds a committed byte: a crash loses nothing it held.
        try connection.execute("PRAGMA temp_store = MEMORY")
        try SQLiteSchema.migrate(connection, now: Self.nowMillis(), logger: logger)
        if let maxBytes = options.maxDatabaseBytes {
            let pageSize = max(1, try connection.pragmaInteger("page_size"))
            _ = try connection.pragmaInteger("max_page_count = \(max(1, maxBytes / pageSize))")
        }
        // The log exists from the WAL switch on, for as long as this connection stays open.
        var walIdentity: DatabaseFileIdentity?
        if case .found(let wal) = DatabaseFileIdentity.lookUp(path + "-wal") { walIdentity = wal }
        let readerConnection = try SQLiteConnection(path: path, readOnly: true, create: false)
        readerConnection.setBusyTimeout(milliseconds: Int(options.busyTimeout.milliseconds))
        reader = LockedValue(.open(readerConnection))
        writer = SQLiteWriter(
            connection: connection, maxBatch: options.maxBatch, maxQueuedInserts: options.maxQueuedInserts, logger: logger, observer: observer,
            path: path, identity: identity, walIdentity: walIdentity, checkpointAtClose: options.ownerLock,
            checkpointPages: options.checkpointPages)
    }

    deinit { close() }

    /// The page size of a new database file, in bytes. Default 2,048 (SQLite's is 4,096): every commit
    /// writes each page it changed, whole, to the WAL and later again to the database file, and most
    /// pages an event changes are index pages at random places (its id, its object) and the row of
    /// its handling state, so smaller pages write less per event. A 2.7 KB body then fills one
    /// overflow page and a third of a leaf page instead of a 4 KB page of its own. Measured in
    /// docs/benchmarks.md: 31 KB written per handled event with 4 KB pages, 25 KB with 2 KB.
    public static let newDatabasePageSize = 2_048

    // MARK: Receiving

    /// Queues `record` for the next group commit; `completion` runs on the completion queue after COMMIT.
    public func insert(_ record: EventRecord, completion: @escaping @Sendable (Result<InsertOutcome, EventStoreError>) -> Void) {
        guard let writer else {
            completion(.failure(readOnlyError("store event \(record.id)")))
            return
        }
        writer.insert(record, completion: completion)
    }

    // MARK: Handling

    /// Claims due events for this instance (see `EventStore.claimDue`); an idle poll costs one read.
    public func claimDue(now: Int64, limit: Int) throws(EventStoreError) -> [WorkItem] {
        guard limit > 0 else { return [] }
        let owner = self.owner
        guard try read({ connection throws(EventStoreError) in try connection.hasDueEvents(now: now) }) else { return [] }
        let expiresAt = now + options.leaseDuration.milliseconds
        // A snapshot suffices: events claimed meanwhile by another of our workers hold a live lease.
        let running = inFlight.withLock { $0 }
        let items = try write("claim due events") { connection throws(EventStoreError) in
            try connection.claimDue(now: now, limit: limit, owner: owner, expiresAt: expiresAt, skipping: running)
        }
        inFlight.withLock { $0.formUnion(items.map(\.event.id)) }
        return items
    }

    /// Records a handler run for an event this instance holds, renewing its claim.
    public func recordHandlerRun(eventID: String, run: HandlerRun) throws(EventStoreError) {
        let owner = self.owner
        let expiresAt = (run.finishedAt ?? run.startedAt) + options.leaseDuration.milliseconds
        try write("record a handler run for \(eventID)") { connection throws(EventStoreError) in
            try connection.recordHandlerRun(eventID: eventID, run: run, owner: owner, expiresAt: expiresAt)
        }
    }

    /// Marks a claimed event done.
    public func complete(eventID: String, now: Int64) throws(EventStoreError) {
        try finish(eventID, status: .done, nextAttemptAt: nil, error: nil, now: now)
    }

    /// Returns a claimed event to pending, due at `at`.
    public func retryLater(eventID: String, at: Int64, error: String, now: Int64) throws(EventStoreError) {
        try finish(eventID, status: .pending, nextAttemptAt: at, error: error, now: now)
    }

    /// Marks a claimed event failed with its last error.
    public func markFailed(eventID: String, error: String, now: Int64) throws(EventStoreError) {
        try finish(eventID, status: .failed, nextAttemptAt: nil, error: error, now: now)
    }

    /// Ends this instance's claim on an event with a status. Even when that fails, the worker is done
    /// with the event: it leaves `inFlight`, so its lease lapses and it is claimed and retried later.
    private func finish(_ eventID: String, status: EventStatus, nextAttemptAt: Int64?, error: String?, now: Int64) throws(EventStoreError) {
        defer { inFlight.withLock { _ = $0.remove(eventID) } }
        let owner = self.owner
        try write("mark \(eventID) \(status.rawValue)") { connection throws(EventStoreError) in
            try connection.finishClaim(eventID: eventID, owner: owner, status: status, nextAttemptAt: nextAttemptAt, error: error, now: now)
        }
    }

    /// Records many outcomes in one write (one transaction, one fsync with whatever else that batch
    /// holds): a lost claim fails its own outcome and leaves the rest recorded; a database failure
    /// (full disk, I/O) records none of them, and every one is to be reported again.
    public func report(_ outcomes: [EventOutcome]) -> [EventStoreError?] {
        guard !outcomes.isEmpty else { return [] }
        let owner = self.owner
        let errors: [EventStoreError?]
        do throws(EventStoreError) {
            errors = try write("report \(outcomes.count) handled events") { connection throws(EventStoreError) in
                var errors: [EventStoreError?] = []
                errors.reserveCapacity(outcomes.count)
                // A lost claim fails its outcome alone; any other failure undoes the whole write.
                for outcome in outcomes { errors.append(try connection.reportOutcome(outcome, owner: owner)) }
                return errors
            }
        } catch {
            errors = outcomes.map { _ in error }
        }
        settleInFlight(outcomes, errors)
        return errors
    }

    /// After a report: events recorded, or whose claim is gone, are no longer in flight here; those
    /// whose report failed with a retryable error stay, so that this instance does not claim them (and
    /// run their handlers) again while their outcome waits to be reported again.
    private func settleInFlight(_ outcomes: [EventOutcome], _ errors: [EventStoreError?]) {
        inFlight.withLock { running in
            for (outcome, error) in zip(outcomes, errors) where !(error?.isRetryable ?? false) {
                running.remove(outcome.eventID)
            }
        }
    }

    /// Records `outcomes` and claims the next batch in the same write: one commit per worker turn
    /// instead of two. Without outcomes it is `claimDue`, which skips the write when nothing is due.
    public func reportAndClaim(_ outcomes: [EventOutcome], now: Int64, limit: Int) -> ClaimTurn {
        guard !outcomes.isEmpty else {
            return ClaimTurn(reportErrors: [], claimed: Result { () throws(EventStoreError) in try claimDue(now: now, limit: limit) })
        }
        let owner = self.owner
        let expiresAt = now + options.leaseDuration.milliseconds
        let inFlight = self.inFlight
        let turn: Result<([EventStoreError?], [WorkItem]), EventStoreError> = Result { () throws(EventStoreError) in
            try write("report \(outcomes.count) handled events and claim more") { connection throws(EventStoreError) in
                var errors: [EventStoreError?] = []
                errors.reserveCapacity(outcomes.count)
                for outcome in outcomes { errors.append(try connection.reportOutcome(outcome, owner: owner)) }
                // Reported events are no longer running here; whatever else runs stays skipped.
                let running = inFlight.withLock { $0 }.subtracting(outcomes.map(\.eventID))
                let items = try connection.claimDue(now: now, limit: limit, owner: owner, expiresAt: expiresAt, skipping: running)
                return (errors, items)
            }
        }
        switch turn {
        case .success(let (errors, items)):
            settleInFlight(outcomes, errors)
            inFlight.withLock { $0.formUnion(items.map(\.event.id)) }
        case .failure(let error):
            settleInFlight(outcomes, outcomes.map { _ in error })
        }
        switch turn {
        case .success(let (errors, items)): return ClaimTurn(reportErrors: errors, claimed: .success(items))
        case .failure(let error): return ClaimTurn(reportErrors: outcomes.map { _ in error }, claimed: .failure(error))
        }
    }

    /// Handlers that succeeded for an event in its current replay.
    public func succeededHandlers(eventID: String) throws(EventStoreError) -> Set<String> {
        try read { connection throws(EventStoreError) in try connection.succeededHandlers(eventID: eventID) }
    }

    /// Returns claims of other instances (a previous, dead run of the daemon) to pending; logs failures.
    @discardableResult
    public func releaseClaims() -> Int {
        guard writer != nil else { return 0 }
        let owner = self.owner
        do {
            let released = try write("release claims") { connection throws(EventStoreError) in try connection.releaseClaims(except: owner) }
            if released > 0 {
                logger.notice("interrupted events returned to the queue", metadata: ["store.released_claims": String(released)])
            }
            return released
        } catch {
            logger.error("could not release old claims; they return when their lease expires", metadata: ["error.message": error.description])
            return 0
        }
    }

    /// Extends every claim this instance holds to `now` + the lease; call it periodically when other
    /// daemons share the database. Returns how many claims it renewed.
    @discardableResult
    public func renewClaims(now: Int64) throws(EventStoreError) -> Int {
        let owner = self.owner
        let expiresAt = now + options.leaseDuration.milliseconds
        return try write("renew claims") { connection throws(EventStoreError) in try connection.renewClaims(owner: owner, expiresAt: expiresAt) }
    }

    // MARK: Operators

    /// Stored events, newest first, filtered.
    public func list(status: EventStatus?, typePattern: String?, since: Int64?, limit: Int) throws(EventStoreError) -> [StoredEvent] {
        let pattern = try typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        guard limit > 0 else { return [] }
        return try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in
                try connection.listEvents(status: status, pattern: pattern, since: since, limit: limit)
            }
        }
    }

    /// One stored event with its handler runs.
    public func event(id: String) throws(EventStoreError) -> StoredEvent? {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.storedEvent(id: id) }
        }
    }

    /// The event holding a pending event back (see `EventStore.blockingEvent(of:now:)`).
    public func blockingEvent(of eventID: String, now: Int64) throws(EventStoreError) -> StoredEvent? {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.blockingEvent(of: eventID, now: now) }
        }
    }

    /// Requeues events by id (see `EventStore.requeue`).
    public func requeue(ids: [String], force: Bool, now: Int64) throws(EventStoreError) -> [String: RequeueOutcome] {
        let owner = self.owner
        return try write("requeue \(ids.count) events") { connection throws(EventStoreError) in
            try connection.requeue(ids: ids, force: force, now: now, owner: owner)
        }
    }

    /// Requeues failed events matching `typePattern` (all when `nil`).
    public func requeueFailed(typePattern: String?, now: Int64) throws(EventStoreError) -> Int {
        let pattern = try typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        return try write("requeue failed events") { connection throws(EventStoreError) in
            try connection.requeueFailed(matching: pattern, now: now)
        }
    }

    /// Deletes old done (and optionally failed) events in transactions of `pruneBatch` events.
    public func prune(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> Int {
        let chunk = max(1, options.pruneBatch)
        var total = 0
        while true {
            let deleted = try write("prune events") { connection throws(EventStoreError) in
                try connection.pruneChunk(olderThan: olderThan, includeFailed: includeFailed, limit: chunk)
            }
            total += deleted
            if deleted < chunk { return total }
        }
    }

    /// What `prune` would delete now, by status (see `EventStore.prunableCounts`).
    public func prunableCounts(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> [EventStatus: Int] {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in
                try connection.prunableCounts(olderThan: olderThan, includeFailed: includeFailed)
            }
        }
    }

    /// Counts by status, claims and oldest pending receive time.
    public func summary() throws(EventStoreError) -> EventStoreSummary {
        try read { connection throws(EventStoreError) in
            try connection.readTransaction { () throws(EventStoreError) in try connection.summary() }
        }
    }

    /// A write through the writer, queued behind the writes already waiting, that takes the path a
    /// delivery takes: it inserts a probe event of `probeEventBytes` into `events` (inside a savepoint
    /// rolled back at once, so no one ever sees it: a full database, a failing trigger or constraint
    /// fail it as they fail deliveries), then counts one more check in `store_checks`, so that the
    /// commit appends a WAL frame and syncs it (an empty transaction would write nothing, and a full
    /// disk would go unnoticed). Its outcome counts as the latest insert outcome in `health`.
    public func checkWritable() throws(EventStoreError) {
        let now = Self.nowMillis()
        let probe = EventRecord(
            id: "evt_webhookd_readiness_probe", type: "webhookd.readiness_probe", objectID: nil, created: now / 1000, livemode: false,
            account: nil, apiVersion: nil, body: [UInt8](repeating: UInt8(ascii: " "), count: Self.probeEventBytes), receivedAt: now, verifiedBy: nil)
        try writer(for: "check that the store can write").perform("check that the store can write", exercisesInsertPath: true) { connection throws(EventStoreError) in
            try connection.execute("SAVEPOINT readiness_probe")
            do throws(EventStoreError) {
                _ = try connection.insertEvent(probe)
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK TO readiness_probe; RELEASE readiness_probe") }
                throw error
            }
            try connection.execute("ROLLBACK TO readiness_probe; RELEASE readiness_probe")
            _ = try connection.run("UPDATE store_checks SET checks = checks + 1, checked_at = ? WHERE id = 1", [.integer(now)])
        }
    }

    /// The probe event's body size: about a typical Stripe event's, so that a probe needs the room a
    /// delivery needs. 4 KiB.
    static let probeEventBytes = 4_096

    /// Write-path counters since the store was opened (zero for a read-only store).
    public var statistics: EventStoreStatistics { writer?.currentStatistics ?? EventStoreStatistics() }

    /// The replaced-file and insert-failure flags of the writer (healthy for a read-only store).
    public var health: EventStoreHealth { writer?.health ?? EventStoreHealth() }

    /// Commits what is queued, stops the writer, closes both connections; idempotent.
    public func close() {
        writer?.close()
        reader.withLock { state in
            if case .open(let connection) = state { connection.close() }
            state = .closed
        }
        // Last: the next owner may start only once this one wrote its last commit and checkpoint.
        ownerLock.withLock { lock in
            lock?.release()
            lock = nil
        }
    }

    // MARK: Plumbing

    /// Runs a write on the writer thread in the next batch and waits for its commit.
    func write<Value: Sendable>(_ name: String, _ body: @escaping @Sendable (SQLiteConnection) throws(EventStoreError) -> Value) throws(EventStoreError) -> Value {
        try writer(for: name).perform(name, body)
    }

    /// The writer, or the read-only error for `action`.
    private func writer(for action: String) throws(EventStoreError) -> SQLiteWriter {
        guard let writer else { throw readOnlyError(action) }
        return writer
    }

    /// Runs a read on the reader connection, on the calling thread, under the reader lock.
    func read<Value>(_ body: (SQLiteConnection) throws(EventStoreError) -> Value) throws(EventStoreError) -> Value {
        let result: Result<Value, EventStoreError> = reader.withLock { state in
            guard case .open(let connection) = state else {
                return .failure(EventStoreError(.unavailable, "\(path): the store is closed"))
            }
            return Result { () throws(EventStoreError) in try body(connection) }
        }
        return try result.get()
    }

    /// The error for a write on a read-only store.
    private func readOnlyError(_ action: String) -> EventStoreError {
        EventStoreError(.readOnly, "cannot \(action): \(path) was opened read-only")
    }

    /// Creates the database file with mode 0600 when it does not exist, so that SQLite (which would
    /// use 0644) and its -wal and -shm files (which copy the database's mode) keep events private.
    private static func createFileIfMissing(_ path: String) throws(EventStoreError) {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty, !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw EventStoreError(.invalidArgument, "cannot create the event database \(path): directory \(directory) does not exist")
        }
        do {
            let descriptor = try systemCall("open(\(path))") { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
            Glibc.close(descriptor)
        } catch where error.code == EEXIST {
            return
        } catch {
            throw EventStoreError(.unavailable, "cannot create the event database: \(error)")
        }
    }

    /// `HOSTNAME:PID:RANDOM`: unique per opened store, readable in `events show`.
    private static func defaultOwner() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "localhost"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(host):\(getpid()):\(suffix)"
    }

    /// Now in Unix milliseconds.
    private static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
