import CSQLite
import Dispatch
import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The store's one writer: a dedicated thread (never the cooperative pool) that owns the read-write
/// connection and commits queued inserts and other writes together, one transaction and one fsync
/// per batch (group commit). Callers hear back only after the commit.
final class SQLiteWriter: @unchecked Sendable {
    // @unchecked: `state`, `queue`, `statistics`, `thread`, `replaced` and `insertFailure` are guarded by `condition`;
    // `connection`, `failureStreak`, `lastFailureLog`, `walFrames` and `checkpointFailing` are touched
    // only by the writer thread once `init` has handed the connection over.

    /// The writer's lifecycle.
    private enum State {
        /// Taking work.
        case running
        /// `close()` was called: committing what is queued, taking nothing new.
        case draining
        /// The thread has exited and the connection is closed.
        case stopped
    }

    /// One queued write.
    enum Job: Sendable {
        /// Insert a record; call back after the commit.
        case insert(EventRecord, @Sendable (Result<InsertOutcome, EventStoreError>) -> Void)
        /// Any other write.
        case operation(any SQLiteWriteOperation)
    }

    /// The one lock; also wakes the writer and `close()` waiters.
    private let condition = NSCondition()
    /// Where the writer is in its life.
    private var state = State.running
    /// Writes waiting for the next batch, in arrival order.
    private var queue: [Job] = []
    /// Counters for `currentStatistics`.
    private var statistics = EventStoreStatistics()
    /// The writer thread, once running, to catch calls from it.
    private var thread: pthread_t?
    /// Set for good once the database file was found removed or replaced: every later write fails with it.
    private var replaced: EventStoreError?
    /// The latest insert-carrying batch's error, `nil` once one succeeded (see `EventStoreHealth`).
    private var insertFailure: EventStoreError?
    /// The database file's path, looked up after every commit.
    private let path: String
    /// The identity of the file the connection opened.
    private let identity: DatabaseFileIdentity
    /// The identity of its write-ahead log (`path-wal`), which holds every commit since the last
    /// checkpoint: SQLite keeps it (and its inode) for as long as the connection is open.
    private let walIdentity: DatabaseFileIdentity?
    /// Whether closing checkpoints the log into the database file (the owning daemon's store only).
    private let checkpointAtClose: Bool
    /// The read-write connection; writer thread only.
    private let connection: SQLiteConnection
    /// Most jobs per transaction.
    private let maxBatch: Int
    /// Most writes allowed to wait.
    private let maxQueuedInserts: Int
    /// Where failures and recovery are reported.
    private let logger: Logger
    /// Told how long each transaction took.
    private let observer: (any EventStoreObserver)?
    /// Runs insert completions after each commit, in commit order, off the writer thread: the writer
    /// starts the next batch while the last one's callers are told (a serial Dispatch queue, not
    /// Swift's cooperative pool; completions are short and never block on the store).
    private let completions = DispatchQueue(label: "webhookd-store-completions")
    /// Failed batches in a row; writer thread only.
    private var failureStreak = 0
    /// When a failure was last logged (uptime ns); writer thread only.
    private var lastFailureLog: UInt64 = 0
    /// WAL frames at which the writer checkpoints, after the batch that reached them was answered.
    private let checkpointFrames: Int
    /// Frames in the WAL after the last commit, as SQLite's WAL hook reports them; writer thread only.
    private var walFrames = 0
    /// Whether the last checkpoint failed, so that a streak is logged once; writer thread only.
    private var checkpointFailing = false

    /// Takes over `connection` and starts the writer thread.
    /// - Parameters:
    ///   - connection: the read-write connection; no one else may use it afterwards.
    ///   - maxBatch: most jobs committed in one transaction.
    ///   - maxQueuedInserts: inserts waiting beyond this are refused at once (back-pressure → 503).
    ///   - logger: where batch failures are reported.
    ///   - observer: told about every transaction's end.
    ///   - path: the database file, looked up after every commit.
    ///   - identity: the identity of the file `connection` opened.
    ///   - walIdentity: the identity of its write-ahead log, when there is one.
    ///   - checkpointAtClose: checkpoint the log into the database at close: the owning daemon does;
    ///     an operator command must not, since a TRUNCATE checkpoint holds the write lock while it
    ///     waits for readers, and the daemon's deliveries would wait with it.
    ///   - checkpointPages: WAL frames (pages) at which the writer copies the WAL into the database file.
    init(
        connection: SQLiteConnection, maxBatch: Int, maxQueuedInserts: Int, logger: Logger, observer: (any EventStoreObserver)? = nil,
        path: String, identity: DatabaseFileIdentity, walIdentity: DatabaseFileIdentity?, checkpointAtClose: Bool, checkpointPages: Int = 4_000
    ) {
        self.checkpointAtClose = checkpointAtClose
        self.checkpointFrames = max(1, checkpointPages)
        self.path = path
        self.identity = identity
        self.walIdentity = walIdentity
        self.observer = observer
        self.connection = connection
        self.maxBatch = max(1, maxBatch)
        self.maxQueuedInserts = max(1, maxQueuedInserts)
        self.logger = logger
        // Replaces SQLite's automatic checkpoint, which ran inside COMMIT: the batch that filled the
        // WAL waited for the copy of every page and an fsync of the database file before its callers
        // heard of their commit. The hook only notes the WAL's size; `checkpointIfDue` copies it.
        sqlite3_wal_hook(connection.handle, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteWriter>.fromOpaque(context).takeUnretainedValue().walFrames = Int(frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
        let thread = Thread { [self] in self.main() }
        thread.name = "webhookd-store-writer"
        thread.start()
    }

    /// Write-path counters so far.
    var currentStatistics: EventStoreStatistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// The replaced-file and insert-failure flags, from memory.
    var health: EventStoreHealth {
        condition.lock()
        defer { condition.unlock() }
        return EventStoreHealth(replaced: replaced?.message, insertFailure: insertFailure?.message)
    }

    /// Queues an insert; `completion` runs on the writer thread after the commit, or at once with an
    /// error when the writer is closed or the queue is full.
    func insert(_ record: EventRecord, completion: @escaping @Sendable (Result<InsertOutcome, EventStoreError>) -> Void) {
        condition.lock()
        guard state == .running else {
            condition.unlock()
            completion(.failure(EventStoreError(.unavailable, "cannot store event \(record.id): the store is closed")))
            return
        }
        guard queue.count < maxQueuedInserts else {
            let waiting = queue.count
            condition.unlock()
            completion(.failure(EventStoreError(.unavailable, "cannot store event \(record.id): \(waiting) writes are already waiting for the disk")))
            return
        }
        queue.append(.insert(record, completion))
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the writer thread inside the next batch and blocks until that batch committed.
    /// Must not be called from the writer thread (inside an operation's body): that would wait for itself.
    func perform<Value: Sendable>(
        _ name: String, exercisesInsertPath: Bool = false, _ body: @escaping @Sendable (SQLiteConnection) throws(EventStoreError) -> Value
    ) throws(EventStoreError) -> Value {
        let operation = BlockingWrite(name: name, exercisesInsertPath: exercisesInsertPath, body: body)
        condition.lock()
        if let thread, pthread_equal(thread, pthread_self()) != 0 {
            condition.unlock()
            throw EventStoreError(.invalidArgument, "\(name) was called from the store's writer thread (inside an insert completion); it would wait for itself")
        }
        guard state == .running else {
            condition.unlock()
            throw EventStoreError(.unavailable, "\(name): the store is closed")
        }
        queue.append(.operation(operation))
        condition.signal()
        condition.unlock()
        return try operation.wait()
    }

    /// Commits everything queued, stops the thread, closes the connection and waits for the last
    /// completions; returns when done. From the writer thread itself it only asks the thread to stop.
    func close() {
        condition.lock()
        if state == .running {
            state = .draining
            condition.broadcast()
        }
        if let thread, pthread_equal(thread, pthread_self()) != 0 {
            condition.unlock()
            return
        }
        while state != .stopped { condition.wait() }
        condition.unlock()
        completions.sync {}
    }

    // MARK: The writer thread

    /// The thread's body: commit batches until drained, then close the connection.
    private func main() {
        condition.lock()
        thread = pthread_self()
        condition.unlock()
        while let batch = nextBatch() {
            commit(batch)
            checkpointIfDue()
        }
        if checkpointAtClose { checkpointAtStop() }
        // SQLite's advice for long-lived connections: refresh planner statistics where useful on close.
        try? connection.execute("PRAGMA optimize")
        connection.close()
        condition.lock()
        state = .stopped
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for work and takes up to `maxBatch` jobs; `nil` once draining found the queue empty.
    private func nextBatch() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, state == .running { condition.wait() }
        if queue.isEmpty { return nil }
        if queue.count <= maxBatch {
            var batch: [Job] = []
            swap(&batch, &queue)
            return batch
        }
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(maxBatch)
        return batch
    }

    /// Copies the WAL into the database file (`wal_checkpoint(PASSIVE)`, as SQLite's automatic
    /// checkpoint does) once it holds `checkpointFrames` frames: after the batch's callers were told,
    /// while they are answered. The WAL stays bounded as before: the next batch waits for the copy.
    private func checkpointIfDue() {
        guard walFrames >= checkpointFrames else { return }
        walFrames = 0
        condition.lock()
        let gone = replaced != nil
        condition.unlock()
        guard !gone else { return }
        do throws(EventStoreError) {
            try connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            checkpointFailing = false
        } catch {
            // The next commit still goes to the WAL, which grows until a checkpoint succeeds.
            if !checkpointFailing {
                logger.warning("could not copy the write-ahead log into the database file; retrying after the next batches", metadata: [
                    "error.message": error.message,
                ])
            }
            checkpointFailing = true
        }
    }

    /// Copies the WAL into the database file and empties it (`wal_checkpoint(TRUNCATE)`), after the
    /// last batch: so that the `.sqlite` file alone holds every acknowledged event after a clean stop.
    private func checkpointAtStop() {
        condition.lock()
        let gone = replaced != nil
        condition.unlock()
        guard !gone else { return }
        do throws(EventStoreError) {
            // Columns: busy (1 when a reader or writer elsewhere kept it from finishing), WAL frames, frames copied.
            let row = try connection.queryFirst("PRAGMA wal_checkpoint(TRUNCATE)") { row in (row.int64(0), row.int64(1), row.int64(2)) }
            if let (busy, frames, copied) = row, busy != 0 {
                logger.warning("the write-ahead log could not be fully copied into the database at stop (another process was using it); keep the -wal file with the database, or use `events backup`", metadata: [
                    "store.wal_frames": String(frames), "store.checkpointed_frames": String(copied),
                ])
            }
        } catch {
            logger.warning("the write-ahead log could not be checkpointed at stop; keep the -wal file with the database, or use `events backup`", metadata: ["error.message": error.message])
        }
    }

    /// Whether the path still names the file the connection opened; the error to fail the batch
    /// with, if not. A removed or replaced file is remembered (`replaced`) and logged once.
    private func verifyFile() -> EventStoreError? {
        let problem: String
        switch DatabaseFileIdentity.lookUp(path) {
        case .found(let current) where current == identity:
            guard let walIdentity else { return nil }
            switch DatabaseFileIdentity.lookUp(path + "-wal") {
            case .found(let wal) where wal == walIdentity:
                return nil
            case .found, .missing:
                // The commits since the last checkpoint live only in the log: a removed log loses them.
                problem = "the write-ahead log \(path)-wal was removed or replaced (it holds the latest events)"
            case .failed(let code):
                return EventStoreError(.unavailable, "cannot check that \(path)-wal is still the open log: stat: \(String(cString: strerror(code)))")
            }
        case .found:
            problem = "the file at \(path) is not the database the daemon opened (it was replaced or renamed)"
        case .missing:
            problem = "\(path) no longer exists (the file or its directory was removed or renamed)"
        case .failed(let code):
            return EventStoreError(.unavailable, "cannot check that \(path) is still the open database: stat: \(String(cString: strerror(code)))")
        }
        let error = EventStoreError(.unavailable, "the event database was removed or replaced: \(problem); events written now would be lost, so none are accepted until the daemon restarts")
        condition.lock()
        let first = replaced == nil
        if first { replaced = error }
        condition.unlock()
        if first {
            logger.error("the event database was removed or replaced while the daemon ran: deliveries are answered 503 and /readyz fails until the daemon is restarted. Restore the file if it was moved by mistake, then restart the daemon", metadata: [
                "error.message": problem,
            ])
        }
        return error
    }

    /// Runs a batch in one transaction and reports to every caller after COMMIT or ROLLBACK.
    private func commit(_ batch: [Job]) {
        var outcomes = [InsertOutcome?](repeating: nil, count: batch.count)
        var failures = [EventStoreError?](repeating: nil, count: batch.count)
        var batchError: EventStoreError?
        let began = ContinuousClock.now
        condition.lock()
        let alreadyReplaced = replaced
        condition.unlock()
        do throws(EventStoreError) {
            // Once the file is gone, nothing runs: every write fails until the restart.
            if let alreadyReplaced { throw alreadyReplaced }
            try connection.run(SQLiteConnection.beginImmediateSQL)
            for (index, job) in batch.enumerated() {
                switch job {
                case .insert(let record, _):
                    outcomes[index] = try connection.insertEvent(record) ? .stored : .duplicate
                case .operation(let operation):
                    failures[index] = try runIsolated(operation)
                }
            }
            try connection.run(SQLiteConnection.commitSQL)
            // One stat per batch, before anyone hears of the commit: a commit into a removed or
            // replaced file is lost at the next restart, so nobody may be told it is stored.
            batchError = verifyFile()
        } catch where error == alreadyReplaced {
            batchError = error
        } catch {
            // Some errors (I/O, full disk) already rolled the transaction back; the rest leave it open.
            if connection.isInTransaction { try? connection.execute("ROLLBACK") }
            let writes = batch.count == 1 ? "1 write" : "\(batch.count) writes"
            batchError = EventStoreError(.unavailable, "a batch of \(writes) was rolled back: \(error.message)", sqliteCode: error.sqliteCode)
        }
        observer?.batchEnded(size: batch.count, duration: .now - began, succeeded: batchError == nil)
        record(batch: batch, outcomes: outcomes, failures: failures, error: batchError)
        var told: [(@Sendable (Result<InsertOutcome, EventStoreError>) -> Void, Result<InsertOutcome, EventStoreError>)] = []
        told.reserveCapacity(batch.count)
        for (index, job) in batch.enumerated() {
            switch job {
            case .insert(_, let completion):
                if let outcome = outcomes[index], batchError == nil {
                    told.append((completion, .success(outcome)))
                } else {
                    told.append((completion, .failure(batchError ?? EventStoreError(.unavailable, "the insert was not run"))))
                }
            case .operation(let operation):
                operation.finish(batchError ?? failures[index])
            }
        }
        if !told.isEmpty {
            let results = told
            completions.async {
                // The batch's lines are written with one write(2), before any caller is answered
                // (callers answer through `LogSink.afterHeldLines`).
                LogSink.holdLines(deferringActions: true)
                for (completion, result) in results { completion(result) }
                LogSink.releaseLines()
            }
        }
    }

    /// Runs one operation inside a savepoint so that its own failure (unknown id, claim lost) undoes
    /// only its work; returns that failure. Throws when the transaction itself is gone.
    private func runIsolated(_ operation: any SQLiteWriteOperation) throws(EventStoreError) -> EventStoreError? {
        try connection.run(SQLiteConnection.savepointSQL)
        do throws(EventStoreError) {
            try operation.run(connection)
            try connection.run(SQLiteConnection.releaseSQL)
            return nil
        } catch {
            guard connection.isInTransaction else { throw error }
            try connection.execute("ROLLBACK TO operation")
            try connection.execute("RELEASE operation")
            return error
        }
    }

    /// Updates the counters and logs failures (the first of a streak, then at most every 10 s) and recovery.
    private func record(batch: [Job], outcomes: [InsertOutcome?], failures: [EventStoreError?], error: EventStoreError?) {
        condition.lock()
        if error == nil {
            statistics.committedBatches += 1
            statistics.largestBatch = max(statistics.largestBatch, batch.count)
            for (index, job) in batch.enumerated() {
                switch job {
                case .insert: if outcomes[index] == .stored { statistics.storedEvents += 1 } else { statistics.duplicateEvents += 1 }
                case .operation: if failures[index] == nil { statistics.operations += 1 }
                }
            }
        } else {
            statistics.failedBatches += 1
        }
        // The latest batch that stored events (or probed for it) decides whether inserts commit.
        var carriesInserts = false
        var insertError = error
        for (index, job) in batch.enumerated() {
            switch job {
            case .insert: carriesInserts = true
            case .operation(let operation) where operation.exercisesInsertPath:
                carriesInserts = true
                insertError = insertError ?? failures[index]
            case .operation: break
            }
        }
        if carriesInserts { insertFailure = insertError }
        let failedBatches = statistics.failedBatches
        condition.unlock()

        let now = DispatchTime.now().uptimeNanoseconds
        if let error {
            failureStreak += 1
            if failureStreak == 1 || now - lastFailureLog >= 10_000_000_000 {
                lastFailureLog = now
                logger.error("event store cannot write; every caller in the batch gets an error", metadata: [
                    "batch.size": String(batch.count), "error.message": error.message,
                    "store.failed_batches": String(failedBatches), "store.failure_streak": String(failureStreak),
                ])
            }
        } else if failureStreak > 0 {
            logger.notice("event store writes again", metadata: ["store.failure_streak": String(failureStreak)])
            failureStreak = 0
        }
    }
}
