import Dispatch
import Foundation
import WebhookSupport

/// The PostgreSQL store's writer: a dedicated thread (never the cooperative pool) that owns one
/// connection and commits queued inserts and other writes together, one transaction per batch
/// (group commit). Callers hear back only after COMMIT returned OK; when the connection is lost
/// during COMMIT the outcome is unknown and every caller gets `.unavailable` (the webhook answers 503
/// and Stripe's retry is a duplicate that the unique id absorbs).
final class PostgreSQLWriter: @unchecked Sendable {
    // @unchecked: `state`, `queue`, `statistics` and `insertFailure` are guarded by `condition`; `link`
    // is used by the writer thread only.

    /// The writer's lifecycle.
    private enum State {
        /// Taking work.
        case running
        /// `close()` was called: committing what is queued, taking nothing new.
        case draining
        /// The thread has exited.
        case stopped
    }

    /// One queued write.
    private enum Job {
        /// Insert a record; call back after the commit.
        case insert(EventRecord, @Sendable (Result<InsertOutcome, EventStoreError>) -> Void)
        /// Any other write.
        case operation(PostgreSQLWriteOperation)
    }

    /// The one lock; also wakes the writer and `close()` waiters.
    private let condition = NSCondition()
    /// Where the writer is in its life.
    private var state = State.running
    /// Writes waiting for the next batch.
    private var queue: [Job] = []
    /// Counters for `currentStatistics`.
    private var statistics = EventStoreStatistics()
    /// The latest insert-carrying batch's error, `nil` once one succeeded.
    private var insertFailure: EventStoreError?
    /// The reconnecting connection; writer thread only.
    private let link: PostgreSQLLink
    /// Most jobs per transaction.
    private let maxBatch: Int
    /// Most writes allowed to wait.
    private let maxQueued: Int
    /// Where failures and recoveries are reported.
    private let logger: Logger
    /// Told how long each transaction took.
    private let observer: (any EventStoreObserver)?
    /// Runs insert completions after each commit, off the writer thread.
    private let completions = DispatchQueue(label: "webhookd-postgres-completions")
    /// Whether the last batch failed; writer thread only (logs once per outage, and once on recovery).
    private var failing = false

    /// Starts the writer thread over `link`.
    /// - Parameters:
    ///   - link: the reconnecting connection; no one else may use it afterwards.
    ///   - maxBatch: most jobs per transaction.
    ///   - maxQueued: writes allowed to wait.
    ///   - logger: where outages and recoveries are reported.
    ///   - observer: told about every transaction.
    init(link: PostgreSQLLink, maxBatch: Int, maxQueued: Int, logger: Logger, observer: (any EventStoreObserver)?) {
        self.link = link
        self.maxBatch = max(1, maxBatch)
        self.maxQueued = max(1, maxQueued)
        self.logger = logger
        self.observer = observer
        let thread = Thread { [self] in self.loop() }
        thread.name = "webhookd-postgres-writer"
        thread.start()
    }

    /// Queues an insert; `completion` runs on the completion queue after the commit (or failure).
    func insert(_ record: EventRecord, completion: @escaping @Sendable (Result<InsertOutcome, EventStoreError>) -> Void) {
        condition.lock()
        guard state == .running else {
            condition.unlock()
            completion(.failure(EventStoreError(.unavailable, "store event \(record.id): the store is closed")))
            return
        }
        guard queue.count < maxQueued else {
            condition.unlock()
            completion(.failure(EventStoreError(.unavailable, "store event \(record.id): \(maxQueued) writes are already waiting for PostgreSQL")))
            return
        }
        queue.append(.insert(record, completion))
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` in the next batch, inside its own savepoint, and returns its value after the commit.
    /// - Parameters:
    ///   - name: what the write does, for errors.
    ///   - exercisesInsertPath: whether its outcome counts as an insert outcome in `health`.
    ///   - body: the write.
    func perform<Value: Sendable>(
        _ name: String, exercisesInsertPath: Bool = false, _ body: @escaping @Sendable (PostgreSQLConnection) throws(EventStoreError) -> Value
    ) throws(EventStoreError) -> Value {
        let value = LockedValue<Value?>(nil)
        let operation = PostgreSQLWriteOperation(name: name, exercisesInsertPath: exercisesInsertPath) { connection throws(EventStoreError) in
            let result = try body(connection)
            value.withLock { $0 = result }
        }
        condition.lock()
        guard state == .running else {
            condition.unlock()
            throw EventStoreError(.unavailable, "cannot \(name): the store is closed")
        }
        queue.append(.operation(operation))
        condition.signal()
        condition.unlock()
        operation.done.wait()
        if let error = operation.error { throw error }
        guard let result = value.withLock({ $0 }) else { throw EventStoreError(.unavailable, "cannot \(name): the write did not run") }
        return result
    }

    /// Write counters so far.
    var currentStatistics: EventStoreStatistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// The latest insert failure, if inserts fail now.
    var health: EventStoreHealth {
        condition.lock()
        defer { condition.unlock() }
        return EventStoreHealth(insertFailure: insertFailure?.description)
    }

    /// Commits what is queued, stops the thread and closes the connection; idempotent.
    func close() {
        condition.lock()
        if state == .running { state = .draining }
        condition.signal()
        while state != .stopped { condition.wait() }
        condition.unlock()
    }

    // MARK: Writer thread

    /// Takes batches until closed and drained.
    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty, state == .running { condition.wait() }
            if queue.isEmpty {
                state = .stopped
                condition.broadcast()
                condition.unlock()
                link.close()
                return
            }
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            condition.unlock()
            commit(batch)
        }
    }

    /// Runs one batch in one transaction and tells every caller how it ended.
    private func commit(_ batch: [Job]) {
        let started = ContinuousClock.now
        var records: [EventRecord] = []
        var operations: [PostgreSQLWriteOperation] = []
        for job in batch {
            switch job {
            case .insert(let record, _): records.append(record)
            case .operation(let operation): operations.append(operation)
            }
        }
        let carriesInserts = !records.isEmpty || operations.contains(where: \.exercisesInsertPath)
        var stored: Set<String> = []
        var batchError: EventStoreError?
        do throws(EventStoreError) {
            var connection = try link.open()
            do throws(EventStoreError) {
                try connection.execute("BEGIN")
            } catch {
                // Lost while idle (the server restarted since the last batch): nothing of this batch
                // ran yet, so it runs on a new connection.
                guard connection.isBroken else { throw error }
                link.dropIfBroken()
                connection = try link.open()
                try connection.execute("BEGIN")
            }
            do throws(EventStoreError) {
                stored = try connection.insertEvents(records)
                for operation in operations {
                    try runIsolated(operation, on: connection)
                }
                // Idle workers of every instance look at once (LISTEN/NOTIFY); delivered at COMMIT.
                if !stored.isEmpty { try connection.execute("NOTIFY \(PostgreSQLEventStore.channel)") }
            } catch {
                if !connection.isBroken { try? connection.execute("ROLLBACK") }
                throw error
            }
            do throws(EventStoreError) {
                try connection.execute("COMMIT")
            } catch {
                throw EventStoreError(.unavailable, "the outcome of a commit of \(batch.count) writes is unknown: \(error.message)")
            }
        } catch {
            batchError = error
            link.dropIfBroken()
        }
        let duration = ContinuousClock.now - started
        observer?.batchEnded(size: batch.count, duration: duration, succeeded: batchError == nil)
        report(batchError, batchSize: batch.count)

        condition.lock()
        if let batchError {
            statistics.failedBatches += 1
            if carriesInserts { insertFailure = batchError }
        } else {
            statistics.committedBatches += 1
            statistics.largestBatch = max(statistics.largestBatch, batch.count)
            statistics.operations += operations.count
            let probeFailed = operations.first(where: { $0.exercisesInsertPath && $0.error != nil })?.error
            if carriesInserts { insertFailure = probeFailed }
        }
        var outcomes: [(@Sendable (Result<InsertOutcome, EventStoreError>) -> Void, Result<InsertOutcome, EventStoreError>)] = []
        var seen: Set<String> = []
        for job in batch {
            guard case .insert(let record, let completion) = job else { continue }
            if let batchError {
                outcomes.append((completion, .failure(EventStoreError(batchError.kind, "store event \(record.id): \(batchError.message)"))))
            } else if stored.contains(record.id), seen.insert(record.id).inserted {
                statistics.storedEvents += 1
                outcomes.append((completion, .success(.stored)))
            } else {
                statistics.duplicateEvents += 1
                outcomes.append((completion, .success(.duplicate)))
            }
        }
        condition.unlock()
        for operation in operations {
            if let batchError, operation.error == nil { operation.error = EventStoreError(batchError.kind, "cannot \(operation.name): \(batchError.message)") }
            operation.done.signal()
        }
        if !outcomes.isEmpty {
            let told = outcomes
            completions.async { for (completion, result) in told { completion(result) } }
        }
    }

    /// Runs one operation inside a savepoint: its failure undoes only its own writes. A lost connection
    /// fails the whole batch.
    private func runIsolated(_ operation: PostgreSQLWriteOperation, on connection: PostgreSQLConnection) throws(EventStoreError) {
        try connection.execute("SAVEPOINT operation")
        do throws(EventStoreError) {
            try operation.body(connection)
            try connection.execute("RELEASE SAVEPOINT operation")
        } catch {
            if connection.isBroken { throw error }
            try connection.execute("ROLLBACK TO SAVEPOINT operation; RELEASE SAVEPOINT operation")
            operation.error = error
        }
    }

    /// Logs the first failure of an outage and the recovery after it.
    private func report(_ error: EventStoreError?, batchSize: Int) {
        if let error {
            if !failing {
                logger.error("PostgreSQL write failed; webhooks answer 503 until it recovers", metadata: [
                    "error.message": error.description, "store.batch_size": String(batchSize),
                ])
            }
            failing = true
        } else if failing {
            failing = false
            logger.notice("PostgreSQL writes succeed again")
        }
    }
}

/// A write queued for the PostgreSQL writer, with its outcome once the batch ends.
final class PostgreSQLWriteOperation: @unchecked Sendable {
    // @unchecked: `error` is written by the writer thread before `done` is signalled and read after.
    /// What it does, for errors.
    let name: String
    /// Whether its outcome counts as an insert outcome (the readiness probe).
    let exercisesInsertPath: Bool
    /// The write itself.
    let body: @Sendable (PostgreSQLConnection) throws(EventStoreError) -> Void
    /// Signalled once the batch committed or failed.
    let done = DispatchSemaphore(value: 0)
    /// Why it failed, if it did.
    var error: EventStoreError?

    /// An operation named `name` running `body`.
    init(name: String, exercisesInsertPath: Bool, body: @escaping @Sendable (PostgreSQLConnection) throws(EventStoreError) -> Void) {
        self.name = name
        self.exercisesInsertPath = exercisesInsertPath
        self.body = body
    }
}
