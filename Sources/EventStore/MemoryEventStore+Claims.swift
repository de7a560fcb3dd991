/// Claims and outcomes: how workers take events and record what their handlers did. A worker's turn
/// (`reportAndClaim`) takes the store's lock once for its whole batch.
extension MemoryEventStore {
    /// Claims due events in receive order, per object in Stripe's `created` order, one per object at a time (see `EventStore.claimDue`); looks
    /// only at the candidates the claim queue holds, never at every stored event.
    public func claimDue(now: Int64, limit: Int) throws(EventStoreError) -> [WorkItem] {
        let owner = self.owner
        return try mutate("claim due events") { contents -> [WorkItem] in
            Self.claim(in: &contents, owner: owner, now: now, limit: limit)
        }.get()
    }

    /// Records a handler run for a claimed event.
    public func recordHandlerRun(eventID: String, run: HandlerRun) throws(EventStoreError) {
        let owner = self.owner
        try mutate("record a handler run for \(eventID)") { contents -> Result<Void, EventStoreError> in
            Result { () throws(EventStoreError) in try Self.record(run, for: eventID, in: &contents, owner: owner) }
        }.get().get()
    }

    /// Marks a claimed event done.
    public func complete(eventID: String, now: Int64) throws(EventStoreError) {
        try finish(eventID, status: .done, nextAttemptAt: nil, error: nil, now: now)
    }

    /// Returns a claimed event to pending, due at `at`.
    public func retryLater(eventID: String, at: Int64, error: String, now: Int64) throws(EventStoreError) {
        try finish(eventID, status: .pending, nextAttemptAt: at, error: error, now: now)
    }

    /// Marks a claimed event failed.
    public func markFailed(eventID: String, error: String, now: Int64) throws(EventStoreError) {
        try finish(eventID, status: .failed, nextAttemptAt: nil, error: error, now: now)
    }

    /// Records each outcome (its runs, then its ending) as `EventStore.report` does, under one lock
    /// for the whole batch instead of one per run and per ending.
    public func report(_ outcomes: [EventOutcome]) -> [EventStoreError?] {
        let owner = self.owner
        switch mutate("record \(outcomes.count) outcomes", { contents -> [EventStoreError?] in
            outcomes.map { Self.record($0, in: &contents, owner: owner) }
        }) {
        case .success(let errors): return errors
        case .failure(let error): return outcomes.map { _ in error }
        }
    }

    /// Records `outcomes` and claims the next batch under one lock (see `EventStore.reportAndClaim`):
    /// a worker's turn takes the store's lock once.
    public func reportAndClaim(_ outcomes: [EventOutcome], now: Int64, limit: Int) -> ClaimTurn {
        let owner = self.owner
        let turn = mutate("record outcomes and claim due events") { contents -> ClaimTurn in
            let errors = outcomes.map { Self.record($0, in: &contents, owner: owner) }
            return ClaimTurn(reportErrors: errors, claimed: .success(Self.claim(in: &contents, owner: owner, now: now, limit: limit)))
        }
        switch turn {
        case .success(let turn): return turn
        case .failure(let error): return ClaimTurn(reportErrors: outcomes.map { _ in error }, claimed: .failure(error))
        }
    }

    /// Ends this store's claim on an event with a status.
    private func finish(_ eventID: String, status: EventStatus, nextAttemptAt: Int64?, error: String?, now: Int64) throws(EventStoreError) {
        let owner = self.owner
        try mutate("mark \(eventID) \(status.rawValue)") { contents -> Result<Void, EventStoreError> in
            Result { () throws(EventStoreError) in
                try Self.finish(eventID, status: status, nextAttemptAt: nextAttemptAt, error: error, now: now, in: &contents, owner: owner)
            }
        }.get().get()
    }

    /// `claimDue` on the contents, with the lock held.
    private static func claim(in contents: inout Contents, owner: String, now: Int64, limit: Int) -> [WorkItem] {
        var items: [WorkItem] = []
        while items.count < limit, let index = contents.queue.nextClaimable(now: now, in: contents.entries) {
            contents.entries[index].event.claimedBy = owner
            contents.entries[index].event.attempts += 1
            contents.entries[index].event.updatedAt = now
            let event = contents.entries[index].event
            let newer = event.record.objectID.flatMap { contents.newestDone[$0] }.flatMap { $0.created > event.record.created ? $0.id : nil }
            items.append(WorkItem(
                event: event.record, attempt: event.attempts, succeededHandlers: Self.succeeded(event),
                handlerRuns: Self.runCounts(event), newerHandledEventID: newer))
        }
        if !items.isEmpty { contents.statistics.operations += 1 }
        return items
    }

    /// One outcome recorded as `report` records it (runs in order, then the ending; the first error
    /// stops it), with the lock held; its error, if any.
    private static func record(_ outcome: EventOutcome, in contents: inout Contents, owner: String) -> EventStoreError? {
        do throws(EventStoreError) {
            for run in outcome.runs { try record(run, for: outcome.eventID, in: &contents, owner: owner) }
            switch outcome.ending {
            case .done:
                try finish(outcome.eventID, status: .done, nextAttemptAt: nil, error: nil, now: outcome.now, in: &contents, owner: owner)
            case .retry(let at, let error):
                try finish(outcome.eventID, status: .pending, nextAttemptAt: at, error: error, now: outcome.now, in: &contents, owner: owner)
            case .failed(let error):
                try finish(outcome.eventID, status: .failed, nextAttemptAt: nil, error: error, now: outcome.now, in: &contents, owner: owner)
            }
            return nil
        } catch {
            return error
        }
    }

    /// `recordHandlerRun` on the contents, with the lock held.
    private static func record(_ run: HandlerRun, for eventID: String, in contents: inout Contents, owner: String) throws(EventStoreError) {
        let index = try claimedIndex(eventID, owner: owner, in: contents, action: "record a handler run for")
        var stored = run
        stored.replay = contents.entries[index].event.replay
        contents.entries[index].event.handlers.append(stored)
        contents.statistics.operations += 1
    }

    /// `complete`, `retryLater` or `markFailed` on the contents, with the lock held.
    private static func finish(
        _ eventID: String, status: EventStatus, nextAttemptAt: Int64?, error: String?, now: Int64, in contents: inout Contents, owner: String
    ) throws(EventStoreError) {
        let index = try claimedIndex(eventID, owner: owner, in: contents, action: "mark \(status.rawValue)")
        contents.entries[index].event.status = status
        contents.entries[index].event.nextAttemptAt = nextAttemptAt
        if let error { contents.entries[index].event.lastError = error }
        contents.entries[index].event.updatedAt = now
        contents.entries[index].event.claimedBy = nil
        let record = contents.entries[index].event.record
        if status == .done, let object = record.objectID, record.created >= contents.newestDone[object]?.created ?? .min {
            contents.newestDone[object] = (record.created, record.id)
        }
        if status == .pending {
            contents.queue.released(contents.entries[index].event, at: index)
        } else {
            contents.queue.finished(contents.entries[index].event, at: index)
        }
        contents.statistics.operations += 1
    }
}
