import WebhookSupport

/// The event store in memory, with the SQLite store's semantics (dedupe, per-object order, claims,
/// handler runs, requeue and prune rules), for tests and `--store memory`. Everything is lost when
/// the process exits. Claims never expire: no other process can share this store.
public final class MemoryEventStore: EventStore {
    /// The store's lifecycle.
    private enum State {
        /// Taking reads and writes.
        case open(Contents)
        /// `close()` ran.
        case closed
    }

    /// Every stored event, in receive order.
    typealias Entries = ChunkedArray<Entry>

    /// Positions of events by id, in 16 dictionaries chosen by the id's last byte: when one grows,
    /// rehashing it holds the lock a sixteenth as long as a single dictionary of every id would.
    struct IDIndex {
        /// The shards.
        private var shards = [[String: Int]](repeating: [:], count: 16)

        /// The position of `id`.
        subscript(id: String) -> Int? {
            get { shards[Self.shard(id)][id] }
            set { shards[Self.shard(id)][id] = newValue }
        }

        /// The shard `id` lives in.
        private static func shard(_ id: String) -> Int {
            Int((id.utf8.last ?? 0) ^ UInt8(truncatingIfNeeded: id.utf8.count)) & 15
        }
    }

    /// One stored event and its handling state.
    struct Entry {
        /// The event and its state, as `event(id:)` returns it.
        var event: StoredEvent
        /// Whether a worker holds it.
        var claimed: Bool { event.claimedBy != nil }
    }

    /// Everything stored, in receive order.
    struct Contents {
        /// Events in receive order.
        var entries = Entries()
        /// Position of each id in `entries`.
        var indexByID = IDIndex()
        /// The sequence number the next stored event gets.
        var nextSequence: Int64 = 1
        /// Write counters.
        var statistics = EventStoreStatistics()
        /// Which pending events can be claimed next.
        var queue = MemoryClaimQueue()
        /// Per object, the latest-created event that was done (its `created` and id): for stale events.
        var newestDone: [String: (created: Int64, id: String)] = [:]

        /// Rebuilds `indexByID` and the claim queue after removals.
        mutating func reindex() {
            indexByID = IDIndex()
            for (index, entry) in entries.enumerated() { indexByID[entry.event.record.id] = index }
            queue.rebuild(from: entries)
        }
    }

    /// The id claims are held under.
    public let owner: String
    /// The one lock and the state it guards.
    private let state = LockedValue(State.open(Contents()))
    /// Dedupe keys: (handler, key) → the event holding it (see `MemoryEventStore+HandlerKeys.swift`).
    let handlerKeys = LockedValue<[MemoryHandlerKey: String]>([:])

    /// Creates an empty store whose claims are held under `owner`.
    public init(owner: String = "memory") {
        self.owner = owner
    }

    /// Stores `record` unless its id is stored and calls `completion` on the calling thread.
    public func insert(_ record: EventRecord, completion: @escaping @Sendable (Result<InsertOutcome, EventStoreError>) -> Void) {
        let result = mutate("store event \(record.id)") { contents -> InsertOutcome in
            contents.statistics.committedBatches += 1
            contents.statistics.largestBatch = max(contents.statistics.largestBatch, 1)
            if contents.indexByID[record.id] != nil {
                contents.statistics.duplicateEvents += 1
                return .duplicate
            }
            let event = StoredEvent(
                record: record, sequence: contents.nextSequence, status: .pending, attempts: 0, nextAttemptAt: nil,
                lastError: nil, updatedAt: record.receivedAt, replay: 0, claimedBy: nil, claimExpiresAt: nil, handlers: []
            )
            contents.nextSequence += 1
            contents.indexByID[record.id] = contents.entries.count
            contents.queue.added(event, at: contents.entries.count)
            contents.entries.append(Entry(event: event))
            contents.statistics.storedEvents += 1
            return .stored
        }
        completion(result)
    }

    /// Handlers that succeeded for an event in its current replay.
    public func succeededHandlers(eventID: String) throws(EventStoreError) -> Set<String> {
        try inspect { contents throws(EventStoreError) -> Set<String> in
            guard let index = contents.indexByID[eventID] else { throw EventStoreError(.notFound, "no event \(eventID)") }
            return Self.succeeded(contents.entries[index].event)
        }
    }

    /// Releases every claim: a memory store has no other instance, so this only undoes its own.
    @discardableResult
    public func releaseClaims() -> Int {
        (try? mutate("release claims") { contents -> Int in
            var released = 0
            for index in contents.entries.indices where contents.entries[index].claimed {
                contents.entries[index].event.claimedBy = nil
                released += 1
            }
            contents.queue.rebuild(from: contents.entries)
            return released
        }.get()) ?? 0
    }

    /// Returns unstarted claims of this store to pending (see `EventStore.release(eventIDs:)`).
    @discardableResult
    public func release(eventIDs: [String]) throws(EventStoreError) -> Int {
        let owner = self.owner
        return try mutate("release \(eventIDs.count) claimed events") { contents -> Int in
            var released = 0
            for id in eventIDs {
                guard let index = contents.indexByID[id], contents.entries[index].event.status == .pending,
                      contents.entries[index].event.claimedBy == owner else { continue }
                contents.entries[index].event.claimedBy = nil
                contents.entries[index].event.attempts = max(0, contents.entries[index].event.attempts - 1)
                contents.queue.released(contents.entries[index].event, at: index)
                released += 1
            }
            contents.statistics.operations += 1
            return released
        }.get()
    }

    /// Stored events, newest first, filtered.
    public func list(status: EventStatus?, typePattern: String?, since: Int64?, limit: Int) throws(EventStoreError) -> [StoredEvent] {
        let pattern = try typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        return try inspect { contents throws(EventStoreError) -> [StoredEvent] in
            var found: [StoredEvent] = []
            for entry in contents.entries.reversed() where found.count < limit {
                let event = entry.event
                if let status, event.status != status { continue }
                if !pattern.matches(event.record.type) { continue }
                if let since, event.record.receivedAt < since { continue }
                found.append(event)
            }
            return found
        }
    }

    /// One stored event with its handler runs.
    public func event(id: String) throws(EventStoreError) -> StoredEvent? {
        try inspect { contents throws(EventStoreError) -> StoredEvent? in contents.indexByID[id].map { contents.entries[$0].event } }
    }

    /// The event holding a pending event back (see `EventStore.blockingEvent(of:now:)`). Memory claims
    /// never lapse, so any claimed event about the object holds it back.
    public func blockingEvent(of eventID: String, now: Int64) throws(EventStoreError) -> StoredEvent? {
        try inspect { contents throws(EventStoreError) -> StoredEvent? in
            guard let index = contents.indexByID[eventID] else { return nil }
            let event = contents.entries[index].event
            guard event.status == .pending, !event.isClaimed, let object = event.record.objectID else { return nil }
            // Per object, pending events are handled in Stripe's created order, ties by arrival.
            let place = (event.record.created, event.sequence)
            var ahead: StoredEvent?
            var claimed: StoredEvent?
            for entry in contents.entries where entry.event.status == .pending && entry.event.record.objectID == object {
                let other = entry.event
                if (other.record.created, other.sequence) < place,
                   ahead.map({ (other.record.created, other.sequence) < ($0.record.created, $0.sequence) }) ?? true {
                    ahead = other
                }
                if other.sequence != event.sequence, other.isClaimed, claimed == nil { claimed = other }
            }
            return (ahead ?? claimed).map(Self.withoutRuns)
        }
    }

    /// `event` without its handler runs, as `blockingEvent(of:now:)` returns it.
    private static func withoutRuns(_ event: StoredEvent) -> StoredEvent {
        var event = event
        event.handlers = []
        return event
    }

    /// Requeues events by id (see `EventStore.requeue`).
    public func requeue(ids: [String], force: Bool, now: Int64) throws(EventStoreError) -> [String: RequeueOutcome] {
        try mutate("requeue \(ids.count) events") { contents -> [String: RequeueOutcome] in
            var outcomes: [String: RequeueOutcome] = [:]
            for id in ids {
                guard let index = contents.indexByID[id] else {
                    outcomes[id] = .notFound
                    continue
                }
                let event = contents.entries[index].event
                if event.status == .pending, event.claimedBy != nil {
                    outcomes[id] = .claimed
                } else if event.status == .done, !force {
                    outcomes[id] = .needsForce
                } else {
                    Self.makePending(&contents.entries[index].event, now: now, newReplay: event.status == .done)
                    outcomes[id] = .requeued
                }
            }
            contents.queue.rebuild(from: contents.entries)
            contents.statistics.operations += 1
            return outcomes
        }.get()
    }

    /// Requeues failed events matching `typePattern` (all when `nil`).
    public func requeueFailed(typePattern: String?, now: Int64) throws(EventStoreError) -> Int {
        let pattern = try typePattern.map { text throws(EventStoreError) in try EventTypePattern(text) } ?? .any
        return try mutate("requeue failed events") { contents -> Int in
            var count = 0
            for index in contents.entries.indices
            where contents.entries[index].event.status == .failed && pattern.matches(contents.entries[index].event.record.type) {
                Self.makePending(&contents.entries[index].event, now: now, newReplay: false)
                count += 1
            }
            contents.queue.rebuild(from: contents.entries)
            contents.statistics.operations += 1
            return count
        }.get()
    }

    /// Deletes done (and optionally failed) events received before `olderThan`.
    public func prune(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> Int {
        try mutate("prune events") { contents -> Int in
            let before = contents.entries.count
            contents.entries.removeAll { entry in
                let prunable = entry.event.status == .done || (includeFailed && entry.event.status == .failed)
                return prunable && entry.event.record.receivedAt < olderThan
            }
            contents.reindex()
            contents.statistics.operations += 1
            return before - contents.entries.count
        }.get()
    }

    /// What `prune` would delete now, by status (see `EventStore.prunableCounts`).
    public func prunableCounts(olderThan: Int64, includeFailed: Bool) throws(EventStoreError) -> [EventStatus: Int] {
        try inspect { contents throws(EventStoreError) -> [EventStatus: Int] in
            var counts: [EventStatus: Int] = [:]
            for entry in contents.entries where entry.event.record.receivedAt < olderThan {
                let status = entry.event.status
                if status == .done || (includeFailed && status == .failed) { counts[status, default: 0] += 1 }
            }
            return counts
        }
    }

    /// Counts by status, claims and oldest pending receive time.
    public func summary() throws(EventStoreError) -> EventStoreSummary {
        try inspect { contents throws(EventStoreError) -> EventStoreSummary in
            var counts: [EventStatus: Int] = [:]
            var claimed = 0
            var oldest: Int64?
            for entry in contents.entries {
                counts[entry.event.status, default: 0] += 1
                guard entry.event.status == .pending else { continue }
                if entry.claimed { claimed += 1 }
                oldest = min(oldest ?? .max, entry.event.record.receivedAt)
            }
            return EventStoreSummary(counts: counts, claimed: claimed, oldestPendingReceivedAt: oldest)
        }
    }

    /// Nothing to take: writable while open.
    public func checkWritable() throws(EventStoreError) {
        try inspect { _ throws(EventStoreError) in () }
    }

    /// Counters since the store was created: every insert is its own "batch".
    public var statistics: EventStoreStatistics {
        state.withLock { state in
            if case .open(let contents) = state { return contents.statistics }
            return EventStoreStatistics()
        }
    }

    /// Drops everything; later calls fail with `.unavailable`.
    public func close() {
        state.withLock { $0 = .closed }
    }

    // MARK: Plumbing

    /// Runs `body` on the contents under the lock, or fails when closed; `action` is built only for
    /// that error (formatting it for every insert was a measurable share of `--store memory`).
    func mutate<Value>(_ action: @autoclosure () -> String, _ body: (inout Contents) -> Value) -> Result<Value, EventStoreError> {
        state.withLock { state in
            guard case .open(var contents) = state else {
                return .failure(EventStoreError(.unavailable, "cannot \(action()): the store is closed"))
            }
            // Move the contents out so that the mutation does not copy them.
            state = .closed
            let value = body(&contents)
            state = .open(contents)
            return .success(value)
        }
    }

    /// Reads the contents under the lock.
    private func inspect<Value>(_ body: (Contents) throws(EventStoreError) -> Value) throws(EventStoreError) -> Value {
        let result: Result<Value, EventStoreError> = state.withLock { state in
            guard case .open(let contents) = state else {
                return .failure(EventStoreError(.unavailable, "the memory store is closed"))
            }
            return Result { () throws(EventStoreError) in try body(contents) }
        }
        return try result.get()
    }

    /// The index of an event `owner` holds, or `.notFound` / `.notClaimed`.
    /// `action` is built only for the error: this runs for every handler run and outcome.
    static func claimedIndex(_ eventID: String, owner: String, in contents: Contents, action: @autoclosure () -> String) throws(EventStoreError) -> Int {
        guard let index = contents.indexByID[eventID] else {
            throw EventStoreError(.notFound, "cannot \(action()) event \(eventID): no such event")
        }
        guard contents.entries[index].event.status == .pending, contents.entries[index].event.claimedBy == owner else {
            let event = contents.entries[index].event
            let holder = event.claimedBy.map { "claimed by \($0)" } ?? "not claimed"
            throw EventStoreError(.notClaimed, "cannot \(action()) event \(eventID): it is \(event.status.rawValue) and \(holder), not by this store (\(owner))")
        }
        return index
    }

    /// Handlers that succeeded in the event's current replay.
    static func succeeded(_ event: StoredEvent) -> Set<String> {
        Set(event.handlers.filter { $0.succeeded && $0.replay == event.replay }.map(\.handler))
    }

    /// Recorded runs per handler in the event's current replay.
    static func runCounts(_ event: StoredEvent) -> [String: Int] {
        var counts: [String: Int] = [:]
        for run in event.handlers where run.replay == event.replay { counts[run.handler, default: 0] += 1 }
        return counts
    }

    /// Pending, due `now`, attempts reset; a new replay when a done event is forced.
    private static func makePending(_ event: inout StoredEvent, now: Int64, newReplay: Bool) {
        if newReplay { event.replay += 1 }
        event.status = .pending
        event.attempts = 0
        event.nextAttemptAt = now
        event.updatedAt = now
        event.claimedBy = nil
    }
}
