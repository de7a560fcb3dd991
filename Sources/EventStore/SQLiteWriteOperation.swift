import Dispatch

/// A write other than an insert, run by the writer thread inside a batch's transaction.
protocol SQLiteWriteOperation: AnyObject, Sendable {
    /// What it does, for errors and logs.
    var name: String { get }
    /// Does the work on the writer's connection, inside its transaction.
    func run(_ connection: SQLiteConnection) throws(EventStoreError)
    /// Reports the end: `nil` after the batch committed, or the error that undid the work.
    func finish(_ error: EventStoreError?)
    /// Whether it inserts into `events` the way a delivery does (the readiness probe), so that its
    /// outcome counts as the latest insert outcome in `EventStoreHealth`.
    var exercisesInsertPath: Bool { get }
}

/// A write whose caller blocks until the batch holding it committed or failed.
final class BlockingWrite<Value: Sendable>: SQLiteWriteOperation, @unchecked Sendable {
    // @unchecked: `value` and `outcome` are written only by the writer thread before `done.signal()`
    // and read only by the caller after `done.wait()`, which orders the accesses.
    /// What the write does.
    let name: String
    /// The work, run on the writer thread.
    private let body: @Sendable (SQLiteConnection) throws(EventStoreError) -> Value
    /// The body's result, held until the batch commits.
    private var value: Value?
    /// What the caller gets.
    private var outcome: Result<Value, EventStoreError>?
    /// Signalled once `outcome` is set.
    private let done = DispatchSemaphore(value: 0)
    /// Whether its outcome counts as an insert outcome (see `SQLiteWriteOperation`).
    let exercisesInsertPath: Bool

    /// Wraps `body`, the work to run on the writer thread.
    /// - Parameters:
    ///   - name: what it does, for errors.
    ///   - exercisesInsertPath: whether it inserts into `events` like a delivery (the readiness probe).
    ///   - body: the work.
    init(name: String, exercisesInsertPath: Bool = false, body: @escaping @Sendable (SQLiteConnection) throws(EventStoreError) -> Value) {
        self.name = name
        self.exercisesInsertPath = exercisesInsertPath
        self.body = body
    }

    /// Runs the body; its result is published only once the batch commits.
    func run(_ connection: SQLiteConnection) throws(EventStoreError) {
        value = try body(connection)
    }

    /// Publishes the result or the error and wakes the caller.
    func finish(_ error: EventStoreError?) {
        if let error {
            outcome = .failure(error)
        } else if let value {
            outcome = .success(value)
        } else {
            outcome = .failure(EventStoreError(.unavailable, "\(name): the writer finished without running it"))
        }
        value = nil
        done.signal()
    }

    /// Blocks until `finish` and returns the result.
    func wait() throws(EventStoreError) -> Value {
        done.wait()
        guard let outcome else { throw EventStoreError(.unavailable, "\(name): no outcome") }
        return try outcome.get()
    }
}
