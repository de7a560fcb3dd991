import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The event store in a PostgreSQL database that several daemons share: any instance stores any
/// event (the id is unique across all of them) and handles any stored event.
///
/// Inserts go through a dedicated writer thread in shared transactions (group commit) with
/// `synchronous_commit = on`; claims, outcomes and operator writes through a second writer (so that a
/// slow claim over a large backlog never delays an acknowledgement); reads use a third connection; a fourth listens for other instances'
/// inserts (LISTEN/NOTIFY) and renews this instance's claims, which are leases: an instance that
/// dies never blocks the rest, since its claims lapse and others take its events over. Every
/// connection comes back by itself after an outage; meanwhile calls fail with `.unavailable`.
public final class PostgreSQLEventStore: EventStore {
    /// The notification channel inserts signal on.
    static let channel = "stripe_webhookd_events"

    /// The store URL without its password, as messages name it.
    public let label: String
    /// The options it was opened with.
    public let options: PostgreSQLEventStore.Options
    /// The id this instance's claims are held under.
    public let owner: String
    /// Reports outages, migrations and lease renewals, with `store.url` (redacted).
    let logger: Logger
    /// The insert writer thread; `nil` when opened read-only.
    private let writer: PostgreSQLWriter?
    /// The writer of claims, outcomes, renewals and operator writes; `nil` when opened read-only.
    private let workWriter: PostgreSQLWriter?
    /// The reader connection, one caller at a time.
    private let reader: LockedValue<PostgreSQLLink?>
    /// Listens for inserts and renews leases; `nil` when opened read-only.
    private let maintenance: PostgreSQLMaintenance?
    /// Events this instance claimed and has not yet reported on (see `SQLiteEventStore.inFlight`).
    let inFlight = LockedValue<Set<String>>([])

    /// Connects, migrates (under the migration lock) and starts the writer, the listener and lease
    /// renewal. Blocks while connecting: call it at start-up, off the cooperative pool. Fails with
    /// `.unavailable` when PostgreSQL cannot be reached and `.schema` when its schema is newer.
    /// - Parameters:
    ///   - url: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]` (or `postgresql://`).
    ///   - password: the password when it came from an `env:`/`file:` reference; overrides the URL's.
    ///   - logger: where outages and migrations are reported.
    ///   - options: leases, timeouts and limits.
    ///   - observer: told how long each write transaction took (metrics).
    public init(
        url: String, password: String? = nil, logger: Logger, options: PostgreSQLEventStore.Options = PostgreSQLEventStore.Options(),
        observer: (any EventStoreObserver)? = nil
    ) throws(EventStoreError) {
        let target = PostgreSQLTarget(url: url, password: password, options: options)
        label = target.label
        self.options = options
        owner = options.owner ?? Self.defaultOwner()
        var logger = logger
        logger[metadataKey: "store.url"] = target.label
        self.logger = logger

        let first = PostgreSQLLink(target: target, first: options.reconnectDelay, longest: options.maxReconnectDelay)
        let connection = try first.open()
        if options.readOnly {
            try PostgreSQLSchema.check(connection)
            reader = LockedValue(first)
            writer = nil
            workWriter = nil
            maintenance = nil
            return
        }
        try PostgreSQLSchema.migrate(connection, now: Self.nowMillis(), logger: logger)
        reader = LockedValue(first)
        let writer = PostgreSQLWriter(
            link: PostgreSQLLink(target: target, first: options.reconnectDelay, longest: options.maxReconnectDelay),
            maxBatch: options.maxBatch, maxQueued: options.maxQueuedInserts, logger: logger, observer: observer)
        self.writer = writer
        let workWriter = PostgreSQLWriter(
            link: PostgreSQLLink(target: target, first: options.reconnectDelay, longest: options.maxReconnectDelay),
            maxBatch: options.maxBatch, maxQueued: options.maxQueuedInserts, logger: logger, observer: nil)
        self.workWriter = workWriter
        let owner = self.owner
        let lease = options.leaseDuration.milliseconds
        let inFlight = self.inFlight
        maintenance = PostgreSQLMaintenance(
            link: PostgreSQLLink(target: target, first: options.reconnectDelay, longest: options.maxReconnectDelay),
            renewEvery: max(.milliseconds(200), options.leaseDuration / 3), logger: logger
        ) { () throws(EventStoreError) in
            let expiresAt = Self.nowMillis() + lease
            // Only the claims this instance's workers hold: a claim whose commit's outcome was unknown
            // (the connection broke during COMMIT) is this owner's in the table but no worker's: it must lapse.
            let held = inFlight.withLock { $0 }
            guard !held.isEmpty else { return }
            _ = try workWriter.perform("renew claims") { connection throws(EventStoreError) in
                try connection.renewClaims(owner: owner, eventIDs: held, expiresAt: expiresAt)
            }
        }
    }

    deinit { close() }

    /// Calls `wake` whenever any instance stored new events (a notification), and after the listener
    /// reconnected (notifications may have been missed): wire it to the dispatcher's idle workers.
    public func onEventsStored(_ wake: @escaping @Sendable () -> Void) {
        maintenance?.setWake(wake)
    }

    // MARK: Receiving

    /// Queues `record` for the next group commit; `completion` runs after COMMIT returned OK.
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
        guard try read({ connection throws(EventStoreError) in try connection.hasDueEvents(now: now) }) else { return [] }
        let owner = self.owner
        let expiresAt = now + options.leaseDuration.milliseconds
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

    /// Ends this instance's claim on an event with a status; the event leaves `inFlight` either way.
    private func finish(_ eventID: String, status: EventStatus, nextAttemptAt: Int64?, error: String?, now: Int64) throws(EventStoreError) {
        defer { inFlight.withLock { _ = $0.remove(eventID) } }
        let owner = self.owner
        try write("mark \(eventID) \(status.rawValue)") { connection throws(EventStoreError) in
            try connection.finishClaim(eventID: eventID, owner: owner, status: status, nextAttemptAt: nextAttemptAt, error: error, now: now)
        }
    }

    /// Records many outcomes in one transaction, each inside its own savepoint.
    public func report(_ outcomes: [EventOutcome]) -> [EventStoreError?] {
        guard !outcomes.isEmpty else { return [] }
        let owner = self.owner
        let errors: [EventStoreError?]
        do throws(EventStoreError) {
            errors = try write("report \(outcomes.count) handled events") { connection throws(EventStoreError) in
                try Self.reportAll(outcomes, owner: owner, on: connection)
            }
        } catch {
            errors = outcomes.map { _ in error }
        }
        settleInFlight(outcomes, errors)
        return errors
    }

    /// Records each outcome in its own savepoint; a lost connection fails them all.
    private static func reportAll(_ outcomes: [EventOutcome], owner: String, on connection: PostgreSQLConnection) throws(EventStoreError) -> [EventStoreError?] {
        var errors: [EventStoreError?] = []
        for outcome in outcomes {
            let error = connection.reportIsolated(outcome, owner: owner)
            if let error, connection.isBroken { throw error }
            errors.append(error)
        }
        return errors
    }

    /// After a report: recorded events, or those whose claim is gone, leave `inFlight`; those whose
    /// report failed with a retryable error stay, so that this instance does not run them again.
    private func settleInFlight(_ outcomes: [EventOutcome], _ errors: [EventStoreError?]) {
        inFlight.withLock { running in
            for (outcome, error) in zip(outcomes, errors) where !(error?.isRetryable ?? false) {
                running.remove(outcome.eventID)
            }
        }
    }

    /// Records `outcomes` and claims the next batch in the same transaction.
    public func reportAndClaim(_ outcomes: [EventOutcome], now: Int64, limit: Int) -> ClaimTurn {
        guard !outcomes.isEmpty else {
            return ClaimTurn(reportErrors: [], claimed: Result { () throws(EventStoreError) in try claimDue(now: now, limit: limit) })
        }
        let owner = self.owner
        let expiresAt = now + options.leaseDuration.milliseconds
        let inFlight = self.inFlight
        let turn: Result<([EventStoreError?], [WorkItem]), EventStoreError> = Result { () throws(EventStoreError) in
            try write("report \(outcomes.count) handled events and claim more") { connection throws(EventStoreError) in
                let errors = try Self.reportAll(outcomes, owner: owner, on: connection)
                let running = inFlight.withLock { $0 }.subtracting(outcomes.map(\.eventID))
                let items = try connection.claimDue(now: now, limit: limit, owner: owner, expiresAt: expiresAt, skipping: running)
                return (errors, items)
            }
        }
        switch turn {
        case .success(let (errors, items)):
            settleInFlight(outcomes, errors)
            inFlight.withLock { $0.formUnion(items.map(\.event.id)) }
            return ClaimTurn(reportErrors: errors, claimed: .success(items))
        case .failure(let error):
            settleInFlight(outcomes, outcomes.map { _ in error })
            return ClaimTurn(reportErrors: outcomes.map { _ in error }, claimed: .failure(error))
        }
    }

    /// Handlers that succeeded for an event in its current replay.
    public func succeededHandlers(eventID: String) throws(EventStoreError) -> Set<String> {
        try read { connection throws(EventStoreError) in try connection.succeededHandlers(eventID: eventID) }
    }

    /// Claims a handler's dedupe key (see `EventStore.claimHandlerKey`); atomic across instances.
    public func claimHandlerKey(handler: String, key: String, eventID: String, now: Int64) throws(EventStoreError) -> String {
        try write("claim dedupe key for \(handler)") { connection throws(EventStoreError) in
            try connection.claimHandlerKey(handler: handler, key: key, eventID: eventID, now: now)
        }
    }

    /// Returns events this instance claimed and did not start to pending.
    @discardableResult
    public func release(eventIDs: [String]) throws(EventStoreError) -> Int {
        guard !eventIDs.isEmpty else { return 0 }
        let owner = self.owner
        let released = try write("release \(eventIDs.count) claimed events") { connection throws(EventStoreError) in
            try connection.release(eventIDs: eventIDs, owner: owner)
        }
        inFlight.withLock { running in for id in eventIDs { running.remove(id) } }
        return released
    }

    /// Releases nothing: other instances' claims may be live (many daemons share the database), and a
    /// dead instance's claims lapse with their lease, after which any instance takes them over.
    @discardableResult
    public func releaseClaims() -> Int { 0 }

    /// Extends the claims this instance's workers hold to `now` + the lease (the store does it by itself every
    /// third of the lease); returns how many claims it renewed.
    @discardableResult
    public func renewClaims(now: Int64) throws(EventStoreError) -> Int {
        let owner = self.owner
        let expiresAt = now + options.leaseDuration.milliseconds
        let held = inFlight.withLock { $0 }
        guard !held.isEmpty else { return 0 }
        return try write("renew claims") { connection throws(EventStoreError) in
            try connection.renewClaims(owner: owner, eventIDs: held, expiresAt: expiresAt)
        }
    }

    // MARK: Operators

    /// Stored events, newest first, filtered.
    public func list(status: EventStatus?, typePattern: String?, since: Int64?, limit: Int) throws(EventStoreError) -> [StoredEvent] {
        let pattern = try typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        guard limit > 0 else { return [] }
        return try read { connection throws(EventStoreError) in
            try connection.listEvents(status: status, pattern: pattern, since: since, limit: limit)
        }
    }

    /// One stored event with its handler runs.
    public func event(id: String) throws(EventStoreError) -> StoredEvent? {
        try read { connection throws(EventStoreError) in try connection.storedEvent(id: id) }
    }

    /// The event holding a pending event back (see `EventStore.blockingEvent(of:now:)`).
    public func blockingEvent(of eventID: String, now: Int64) throws(EventStoreError) -> StoredEvent? {
        try read { connection throws(EventStoreError) in try connection.blockingEvent(of: eventID, now: now) }
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

    /// What `prune` would delete now, by status.
    public func prunableCounts(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> [EventStatus: Int] {
        try read { connection throws(EventStoreError) in try connection.prunableCounts(olderThan: olderThan, includeFailed: includeFailed) }
    }

    /// Counts by status, live claims and oldest pending receive time.
    public func summary() throws(EventStoreError) -> EventStoreSummary {
        try read { connection throws(EventStoreError) in try connection.summary() }
    }

    /// A write through the writer that takes the path a delivery takes: it inserts a probe event
    /// (inside a savepoint rolled back at once, so no one sees it) and counts one more check in
    /// `store_checks`, then commits. Its outcome counts as the latest insert outcome in `health`.
    public func checkWritable() throws(EventStoreError) {
        let now = Self.nowMillis()
        let probe = EventRecord(
            id: "evt_webhookd_readiness_probe_\(owner)", type: "webhookd.readiness_probe", objectID: nil, created: now / 1000, livemode: false,
            account: nil, apiVersion: nil, body: [UInt8](repeating: UInt8(ascii: " "), count: 4_096), receivedAt: now, verifiedBy: nil)
        guard let writer else { throw readOnlyError("check that the store can write") }
        try writer.perform("check that the store can write", exercisesInsertPath: true) { connection throws(EventStoreError) in
            try connection.execute("SAVEPOINT readiness_probe")
            _ = try connection.insertEvents([probe])
            try connection.execute("ROLLBACK TO SAVEPOINT readiness_probe; RELEASE SAVEPOINT readiness_probe")
            try connection.run("UPDATE store_checks SET checks = checks + 1, checked_at = $1 WHERE id = 1", [.integer(now)])
        }
    }

    /// Write-path counters since the store was opened.
    public var statistics: EventStoreStatistics {
        var statistics = writer?.currentStatistics ?? EventStoreStatistics()
        if let work = workWriter?.currentStatistics {
            statistics.committedBatches += work.committedBatches
            statistics.failedBatches += work.failedBatches
            statistics.operations += work.operations
        }
        return statistics
    }

    /// Whether inserts commit now (the file-replaced check is SQLite's alone).
    public var health: EventStoreHealth { writer?.health ?? EventStoreHealth() }

    /// Commits what is queued, stops the threads, closes every connection; idempotent.
    public func close() {
        maintenance?.stop()
        writer?.close()
        workWriter?.close()
        reader.withLock { link in
            link?.close()
            link = nil
        }
    }

    // MARK: Plumbing

    /// Runs a write in the work writer's next batch and waits for its commit.
    func write<Value: Sendable>(_ name: String, _ body: @escaping @Sendable (PostgreSQLConnection) throws(EventStoreError) -> Value) throws(EventStoreError) -> Value {
        guard let workWriter else { throw readOnlyError(name) }
        return try workWriter.perform(name, body)
    }

    /// Runs a read on the reader connection, on the calling thread, under the reader lock. A read that
    /// found its connection lost (the server restarted since the last read) runs once more on a new one.
    func read<Value>(_ body: (PostgreSQLConnection) throws(EventStoreError) -> Value) throws(EventStoreError) -> Value {
        let label = self.label
        let result: Result<Value, EventStoreError> = reader.withLock { link in
            guard let link else { return .failure(EventStoreError(.unavailable, "PostgreSQL at \(label): the store is closed")) }
            var result = Result { () throws(EventStoreError) in try body(try link.open()) }
            if case .failure = result, link.isBroken {
                link.dropIfBroken()
                result = Result { () throws(EventStoreError) in try body(try link.open()) }
            }
            link.dropIfBroken()
            return result
        }
        return try result.get()
    }

    /// The error for a write on a read-only store.
    private func readOnlyError(_ action: String) -> EventStoreError {
        EventStoreError(.readOnly, "cannot \(action): PostgreSQL at \(label) was opened read-only")
    }

    /// `HOSTNAME:PID:RANDOM`: unique per opened store, readable in `events show`.
    private static func defaultOwner() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "localhost"
        return "\(host):\(getpid()):\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// Now in Unix milliseconds.
    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
