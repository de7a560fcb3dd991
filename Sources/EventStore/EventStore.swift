/// Durable storage for received events and their handling state: the receiver's queue.
///
/// All times are Unix milliseconds and are passed in, so that tests control the clock. Except
/// `insert`, every method blocks its calling thread until the store has answered (SQLite work runs on
/// the store's own threads): call them from worker threads, never from Swift's cooperative pool and
/// never from inside an insert completion.
public protocol EventStore: AnyObject, Sendable {
    /// Stores `record` durably unless its id is already stored, then calls `completion` with the
    /// outcome or an error — after the commit reached the disk, on the SQLite store's completion queue
    /// (the memory store calls it before `insert` returns). Keep `completion` short: it delays the
    /// completions of the same batch; and never call a blocking store method from it.
    func insert(_ record: EventRecord, completion: @escaping @Sendable (Result<InsertOutcome, EventStoreError>) -> Void)

    /// Claims up to `limit` due pending events for this store instance and counts an attempt for each.
    /// An event is claimable when it is pending, due, unclaimed or its claim's lease has lapsed, not
    /// still in progress in this instance, and no pending event created earlier by Stripe (ties: stored
    /// earlier) and no claimed event concern the same object. Each item says whether it is stale: a
    /// done event about the same object was created later than it. Report on every claimed event with `complete`, `retryLater` or `markFailed`; if
    /// that report fails, the event comes back when its lease lapses.
    func claimDue(now: Int64, limit: Int) throws(EventStoreError) -> [WorkItem]

    /// Records one handler run for an event this instance has claimed (and renews the claim).
    func recordHandlerRun(eventID: String, run: HandlerRun) throws(EventStoreError)

    /// Marks a claimed event done: every handler succeeded.
    func complete(eventID: String, now: Int64) throws(EventStoreError)

    /// Returns a claimed event to pending, due at `at`, remembering `error`.
    func retryLater(eventID: String, at: Int64, error: String, now: Int64) throws(EventStoreError)

    /// Marks a claimed event failed (a dead letter) with its last error.
    func markFailed(eventID: String, error: String, now: Int64) throws(EventStoreError)

    /// Records the outcomes of several claimed events (their handler runs, then done, retry-later or
    /// failed) and returns each one's error, or `nil`, in order. One event's error (its claim lost)
    /// leaves the others recorded. An event whose report failed with a retryable error stays claimed by
    /// this instance, which never claims it again, so that the caller can report it again later (its
    /// handlers must not run twice); other instances get it when its lease lapses.
    func report(_ outcomes: [EventOutcome]) -> [EventStoreError?]

    /// Returns events this instance claimed but did not start (a graceful stop) to pending, due as they
    /// were, without counting the claim as an attempt, so that the next start takes them at once.
    /// Events not claimed by this instance are left alone. Returns how many it released.
    @discardableResult
    func release(eventIDs: [String]) throws(EventStoreError) -> Int

    /// Records `outcomes` like `report`, then claims up to `limit` due events like `claimDue`: a
    /// worker's turn from one batch to the next.
    func reportAndClaim(_ outcomes: [EventOutcome], now: Int64, limit: Int) -> ClaimTurn

    /// Names of the handlers that succeeded for an event in its current replay.
    func succeededHandlers(eventID: String) throws(EventStoreError) -> Set<String>

    /// Claims dedupe key `key` of handler `handler` for event `eventID`, unless a stored event holds
    /// it already, and returns the holder's id: `eventID` when this call took the key or the event
    /// held it before. Atomic across workers and durable across restarts; a key goes with the event
    /// that holds it when that event is pruned.
    func claimHandlerKey(handler: String, key: String, eventID: String, now: Int64) throws(EventStoreError) -> String

    /// Start-up recovery: returns to pending every event claimed by another store instance (a previous
    /// run of the daemon that died), and returns how many. Run it once in the one daemon that owns the
    /// database (a SQLite store opened with `Options.ownerLock`, which is held from `init` on), before
    /// its workers start: in any other instance it would take a live daemon's running events away. A failure is logged, not thrown: such claims still come back
    /// when their lease expires.
    @discardableResult
    func releaseClaims() -> Int

    /// Stored events, newest first, filtered by status, type pattern and receive time (`since`, Unix
    /// ms, inclusive), at most `limit` of them.
    func list(status: EventStatus?, typePattern: String?, since: Int64?, limit: Int) throws(EventStoreError) -> [StoredEvent]

    /// One stored event with its handler runs, or `nil`.
    func event(id: String) throws(EventStoreError) -> StoredEvent?

    /// The event holding pending event `eventID` back, if one does (events about one object are handled
    /// one at a time, in the order received): the oldest older pending event about the same object,
    /// which must be done or a dead letter first, else another event about the object that a worker
    /// holds at `now`. `nil` when the event is unknown, not pending, held by a worker itself, about no
    /// object, or waiting only for its own retry time. The blocker comes without its handler runs.
    func blockingEvent(of eventID: String, now: Int64) throws(EventStoreError) -> StoredEvent?

    /// One page of stored events matching `query`, newest first (by receive time, then store order),
    /// without handler runs: the console's event list.
    func events(matching query: EventQuery) throws(EventStoreError) -> EventPage

    /// Events received at or after `since` (Unix ms), counted by hour, type and current status.
    func hourlyCounts(since: Int64) throws(EventStoreError) -> [HourlyEventCount]

    /// Each handler's runs and failures started at or after `since` (Unix ms), by handler name.
    func handlerFailureRates(since: Int64) throws(EventStoreError) -> [HandlerFailureRate]

    /// Up to `limit` events about the same object as event `eventID` received before it and up to
    /// `limit` after it, without handler runs; empty when the event is unknown or about no object.
    func relatedEvents(to eventID: String, limit: Int) throws(EventStoreError) -> RelatedEvents

    /// Dead letters (failed events) counted by type.
    func deadLetterCounts() throws(EventStoreError) -> [String: Int]

    /// Makes the events pending and due at `now` with attempts reset. Failed and pending events need
    /// nothing more; done events need `force` (and then run every handler again); claimed ones are left alone.
    func requeue(ids: [String], force: Bool, now: Int64) throws(EventStoreError) -> [String: RequeueOutcome]

    /// Requeues every failed event whose type matches `typePattern` (all when `nil`); returns how many.
    func requeueFailed(typePattern: String?, now: Int64) throws(EventStoreError) -> Int

    /// Deletes done events (and failed ones when `includeFailed`) received before `olderThan` (Unix ms),
    /// with their handler runs; pending events are never pruned. Returns how many events went.
    func prune(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> Int

    /// What `prune(olderThan:includeFailed:)` would delete now, counted by status, deleting nothing
    /// (`events prune --dry-run`).
    func prunableCounts(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> [EventStatus: Int]

    /// Counts by status, claimed count and oldest pending receive time.
    func summary() throws(EventStoreError) -> EventStoreSummary

    /// Write-path counters since the store was opened.
    var statistics: EventStoreStatistics { get }

    /// Whether the store's file is still the one it opened and whether inserts commit, from memory:
    /// never blocks on the disk.
    var health: EventStoreHealth { get }

    /// Commits a small write that changes nothing visible (SQLite: one row of `store_checks` updated and synced),
    /// blocking until then: throws when the store cannot write now (closed, read-only, locked past the busy
    /// timeout, failing). For readiness checks; call it off the event loops and the cooperative pool.
    func checkWritable() throws(EventStoreError)

    /// Commits every queued insert and write, stops the writer and closes the database. Later calls
    /// fail with `.unavailable`. Idempotent.
    func close()
}

extension EventStore {
    /// Stores `record` durably and returns once it is on disk: `await`s the completion-based `insert`
    /// without blocking any thread.
    public func insert(_ record: EventRecord) async throws(EventStoreError) -> InsertOutcome {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<InsertOutcome, EventStoreError>, Never>) in
            insert(record) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Pending events, claimed or not.
    public func pendingCount() throws(EventStoreError) -> Int { try summary().pending }

    /// When the oldest pending event was received (Unix ms), if any is pending.
    public func oldestPendingReceivedAt() throws(EventStoreError) -> Int64? { try summary().oldestPendingReceivedAt }

    /// A store that does not track its health (the memory store) is always healthy.
    public var health: EventStoreHealth { EventStoreHealth() }

    /// Events per status.
    public func counts() throws(EventStoreError) -> [EventStatus: Int] { try summary().counts }
}
