import EventStore
import Foundation
import Testing

/// The `EventStore` contract, run against the SQLite store and the memory store alike.
@Suite struct EventStoreTests {
    // MARK: Inserting

    @Test(arguments: StoreKind.allCases)
    func insertedEvent_readsBackWithEveryFieldAndTheExactBody(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        // NUL, bytes that are not UTF-8, a newline: stored and returned byte for byte.
        let body: [UInt8] = [0x7B, 0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x0A, 0x7D]
        let record = EventRecord(
            id: "evt_fields", type: "charge.refunded", objectID: "ch_1", created: 1_700_000_123, livemode: true,
            account: "acct_9", apiVersion: nil, body: body, receivedAt: 1_700_000_123_456, verifiedBy: nil
        )
        let empty = makeRecord("evt_empty", object: nil, body: [])

        #expect(try await fixture.store.insert(record) == .stored)
        #expect(try await fixture.store.insert(empty) == .stored)

        let stored = try #require(try fixture.store.event(id: "evt_fields"))
        #expect(stored.record == record)
        #expect(stored.record.body == body)
        #expect(stored.status == .pending)
        #expect(stored.attempts == 0)
        #expect(stored.nextAttemptAt == nil)
        #expect(stored.lastError == nil)
        #expect(stored.updatedAt == record.receivedAt)
        #expect(stored.handlers.isEmpty)
        #expect(!stored.isClaimed)
        #expect(try fixture.store.event(id: "evt_empty")?.record.body == [])
        #expect(try fixture.store.event(id: "evt_missing") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func sameIDTwice_isStoredOnce_andTheSecondIsADuplicateThatChangesNothing(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let first = makeRecord("evt_dup", body: Array("first".utf8))
        var retry = first
        retry.body = Array("second".utf8)
        retry.receivedAt = 9_999

        #expect(try await fixture.store.insert(first) == .stored)
        #expect(try await fixture.store.insert(retry) == .duplicate)

        let all = try fixture.store.list(status: nil, typePattern: nil, since: nil, limit: 10)
        #expect(all.map(\.record.id) == ["evt_dup"])
        #expect(all.first?.record.body == Array("first".utf8))
        #expect(fixture.store.statistics.storedEvents == 1)
        #expect(fixture.store.statistics.duplicateEvents == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func sameIDConcurrently_isStoredOnce_andEveryCallerHearsItIsStored(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let copies = Array(repeating: makeRecord("evt_race"), count: 64)

        let results = insertConcurrently(copies, into: fixture.store)

        let outcomes = try results.map { try $0.get() }
        #expect(outcomes.count == 64)
        #expect(outcomes.filter { $0 == .stored }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 63)
        #expect(try fixture.store.list(status: nil, typePattern: nil, since: nil, limit: 100).count == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func closedStore_refusesInsertsAndWorkWithUnavailable(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        fixture.store.close()
        fixture.store.close()

        let result = insertAndWait(makeRecord("evt_late"), into: fixture.store)
        #expect(throws: EventStoreError.self) { try result.get() }
        if case .failure(let error) = result { #expect(error.kind == .unavailable) }
        let claimError = #expect(throws: EventStoreError.self) { try fixture.store.claimDue(now: 1, limit: 1) }
        #expect(claimError?.kind == .unavailable)
    }

    // MARK: Claiming

    @Test(arguments: StoreKind.allCases)
    func eventsAboutOneObject_areClaimedOneAtATimeInReceiveOrder(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        _ = try await store.insert(makeRecord("evt_a1", object: "in_A", receivedAt: 1))
        _ = try await store.insert(makeRecord("evt_a2", object: "in_A", receivedAt: 2))
        _ = try await store.insert(makeRecord("evt_b1", object: "in_B", receivedAt: 3))
        _ = try await store.insert(makeRecord("evt_n1", object: nil, receivedAt: 4))
        _ = try await store.insert(makeRecord("evt_n2", object: nil, receivedAt: 5))

        // Different objects (and events about no object) are claimed together; the second event
        // about in_A waits for the first.
        #expect(try store.claimIDs(now: 10) == ["evt_a1", "evt_b1", "evt_n1", "evt_n2"])
        #expect(try store.claimIDs(now: 10) == [])
        #expect(try store.summary().claimed == 4)

        try store.complete(eventID: "evt_a1", now: 11)
        #expect(try store.claimIDs(now: 12) == ["evt_a2"])
    }

    @Test(arguments: StoreKind.allCases)
    func olderEventWaitingForItsRetry_holdsBackNewerEventsAboutTheSameObject(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        _ = try await store.insert(makeRecord("evt_1", object: "sub_1", receivedAt: 1))
        _ = try await store.insert(makeRecord("evt_2", object: "sub_1", receivedAt: 2))
        #expect(try store.claimIDs(now: 100) == ["evt_1"])
        try store.retryLater(eventID: "evt_1", at: 5_000, error: "timeout", now: 100)

        #expect(try store.claimIDs(now: 4_999) == [])
        let retried = try store.claimDue(now: 5_000, limit: 10)
        #expect(retried.map(\.event.id) == ["evt_1"])
        #expect(retried.first?.attempt == 2)

        try store.markFailed(eventID: "evt_1", error: "still timing out", now: 5_001)
        #expect(try store.claimIDs(now: 5_002) == ["evt_2"])
    }

    @Test(arguments: StoreKind.allCases)
    func claimLimit_isRespected_andTheRestStayClaimable(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        for index in 0..<5 {
            _ = try await fixture.store.insert(makeRecord("evt_\(index)", object: "obj_\(index)", receivedAt: Int64(index)))
        }
        #expect(try fixture.store.claimIDs(now: 10, limit: 2) == ["evt_0", "evt_1"])
        #expect(try fixture.store.claimIDs(now: 10, limit: 0) == [])
        #expect(try fixture.store.claimIDs(now: 10, limit: 10) == ["evt_2", "evt_3", "evt_4"])
    }

    @Test(arguments: StoreKind.allCases)
    func interruptedClaims_returnOnRestart_withTheAttemptCounted(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_crash"))
        #expect(try fixture.store.claimDue(now: 10, limit: 1).first?.attempt == 1)

        try fixture.restart()

        let again = try fixture.store.claimDue(now: 20, limit: 1)
        #expect(again.map(\.event.id) == ["evt_crash"])
        // The interrupted attempt counts, so an event that crashes the daemon still ends as a dead letter.
        #expect(again.first?.attempt == 2)
    }

    // MARK: Outcomes and retries

    @Test(arguments: StoreKind.allCases)
    func retryLater_recordsTheErrorAndDueTime_andReleasesTheClaim(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        _ = try await store.insert(makeRecord("evt_retry"))
        _ = try store.claimDue(now: 1_000, limit: 1)

        try store.retryLater(eventID: "evt_retry", at: 3_000, error: "HTTP 502 from billing", now: 1_500)

        let stored = try #require(try store.event(id: "evt_retry"))
        #expect(stored.status == .pending)
        #expect(stored.attempts == 1)
        #expect(stored.nextAttemptAt == 3_000)
        #expect(stored.lastError == "HTTP 502 from billing")
        #expect(stored.updatedAt == 1_500)
        #expect(!stored.isClaimed)
        #expect(try store.claimIDs(now: 2_999) == [])
        #expect(try store.claimDue(now: 3_000, limit: 1).first?.attempt == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func completeAndMarkFailed_setTheFinalStatus(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        try await store.settle(makeRecord("evt_ok", object: "a"), as: .done, now: 2_000)
        try await store.settle(makeRecord("evt_dead", object: "b"), as: .failed, now: 3_000)

        let done = try #require(try store.event(id: "evt_ok"))
        #expect(done.status == .done)
        #expect(done.updatedAt == 2_000)
        #expect(!done.isClaimed)
        let failed = try #require(try store.event(id: "evt_dead"))
        #expect(failed.status == .failed)
        #expect(failed.lastError == "gave up")
        #expect(failed.attempts == 1)
        #expect(try store.claimIDs(now: 1_000_000) == [])
    }

    @Test(arguments: StoreKind.allCases)
    func outcomes_needTheClaim(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        _ = try await store.insert(makeRecord("evt_unclaimed"))

        let unclaimed = #expect(throws: EventStoreError.self) { try store.complete(eventID: "evt_unclaimed", now: 1) }
        #expect(unclaimed?.kind == .notClaimed)
        let unknown = #expect(throws: EventStoreError.self) { try store.markFailed(eventID: "evt_nope", error: "x", now: 1) }
        #expect(unknown?.kind == .notFound)
        let run = HandlerRun(handler: "h", attempt: 1, startedAt: 1, finishedAt: 2, succeeded: true, error: nil, output: nil)
        let unclaimedRun = #expect(throws: EventStoreError.self) { try store.recordHandlerRun(eventID: "evt_unclaimed", run: run) }
        #expect(unclaimedRun?.kind == .notClaimed)

        _ = try store.claimDue(now: 1, limit: 1)
        try store.complete(eventID: "evt_unclaimed", now: 2)
        let twice = #expect(throws: EventStoreError.self) { try store.retryLater(eventID: "evt_unclaimed", at: 9, error: "x", now: 3) }
        #expect(twice?.kind == .notClaimed)
        #expect(try store.event(id: "evt_unclaimed")?.status == .done)
    }

    @Test(arguments: StoreKind.allCases)
    func handlerRuns_areKept_andARetrySkipsOnlyTheHandlersThatSucceeded(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        _ = try await store.insert(makeRecord("evt_runs"))
        let first = try #require(try store.claimDue(now: 100, limit: 1).first)
        #expect(first.succeededHandlers.isEmpty)

        let ok = HandlerRun(handler: "notify-slack", attempt: 1, startedAt: 100, finishedAt: 120, succeeded: true, error: nil, output: "posted")
        let failed = HandlerRun(handler: "provision", attempt: 1, startedAt: 120, finishedAt: 180, succeeded: false, error: "exit status 3", output: "no such plan")
        try store.recordHandlerRun(eventID: "evt_runs", run: ok)
        try store.recordHandlerRun(eventID: "evt_runs", run: failed)
        try store.retryLater(eventID: "evt_runs", at: 1_000, error: "provision: exit status 3", now: 180)

        #expect(try store.succeededHandlers(eventID: "evt_runs") == ["notify-slack"])
        #expect(try store.event(id: "evt_runs")?.handlers == [ok, failed])
        let second = try #require(try store.claimDue(now: 1_000, limit: 1).first)
        #expect(second.attempt == 2)
        #expect(second.succeededHandlers == ["notify-slack"])
        let unknown = #expect(throws: EventStoreError.self) { try store.succeededHandlers(eventID: "evt_nope") }
        #expect(unknown?.kind == .notFound)
    }

    // MARK: Operators

    @Test(arguments: StoreKind.allCases)
    func requeue_takesFailedAndPendingEvents_doneOnlyWithForce_andNeverClaimedOnes(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        try await store.settle(makeRecord("evt_done", object: "a"), as: .done)
        let run = HandlerRun(handler: "h", attempt: 1, startedAt: 1, finishedAt: 2, succeeded: true, error: nil, output: nil)
        try await store.settle(makeRecord("evt_failed", object: "b"), as: .claimed)
        try store.recordHandlerRun(eventID: "evt_failed", run: run)
        try store.markFailed(eventID: "evt_failed", error: "other handler failed", now: 10_000)
        try await store.settle(makeRecord("evt_waiting", object: "c"), as: .waiting(until: 99_000))
        try await store.settle(makeRecord("evt_claimed", object: "d"), as: .claimed)

        let outcomes = try store.requeue(ids: ["evt_done", "evt_failed", "evt_waiting", "evt_claimed", "evt_missing"], force: false, now: 20_000)

        #expect(outcomes == [
            "evt_done": .needsForce, "evt_failed": .requeued, "evt_waiting": .requeued,
            "evt_claimed": .claimed, "evt_missing": .notFound,
        ])
        let failed = try #require(try store.event(id: "evt_failed"))
        #expect(failed.status == .pending)
        #expect(failed.attempts == 0)
        #expect(failed.nextAttemptAt == 20_000)
        #expect(try store.event(id: "evt_waiting")?.nextAttemptAt == 20_000)
        #expect(try store.event(id: "evt_done")?.status == .done)
        // A requeued failed event reruns only the handlers that have not succeeded.
        #expect(try store.succeededHandlers(eventID: "evt_failed") == ["h"])

        #expect(try store.requeue(ids: ["evt_done"], force: true, now: 21_000) == ["evt_done": .requeued])
        let replayed = try #require(try store.event(id: "evt_done"))
        #expect(replayed.status == .pending)
        #expect(replayed.replay == 1)
        let items = try store.claimDue(now: 21_000, limit: 10)
        #expect(Set(items.map(\.event.id)) == ["evt_done", "evt_failed", "evt_waiting"])
        // A forced replay of a done event runs every handler again.
        #expect(items.first { $0.event.id == "evt_done" }?.succeededHandlers == [])
        #expect(items.first { $0.event.id == "evt_done" }?.attempt == 1)
        #expect(items.first { $0.event.id == "evt_failed" }?.succeededHandlers == ["h"])
    }

    @Test(arguments: StoreKind.allCases)
    func requeueFailed_matchesTypesBySegment(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        try await store.settle(makeRecord("evt_inv", type: "invoice.payment_failed", object: "a"), as: .failed)
        try await store.settle(makeRecord("evt_item", type: "invoiceitem.created", object: "b"), as: .failed)
        try await store.settle(makeRecord("evt_charge", type: "charge.failed", object: "c"), as: .failed)
        try await store.settle(makeRecord("evt_paid", type: "invoice.paid", object: "d"), as: .done)

        #expect(try store.requeueFailed(typePattern: "invoice.*", now: 50_000) == 1)
        #expect(try store.event(id: "evt_inv")?.status == .pending)
        #expect(try store.event(id: "evt_item")?.status == .failed)
        #expect(try store.event(id: "evt_paid")?.status == .done)
        #expect(try store.requeueFailed(typePattern: nil, now: 50_000) == 2)
        #expect(try store.summary().counts == [.pending: 3, .done: 1, .failed: 0])
        let bad = #expect(throws: EventStoreError.self) { try store.requeueFailed(typePattern: "inv*", now: 1) }
        #expect(bad?.kind == .invalidArgument)
    }

    @Test(arguments: StoreKind.allCases)
    func prune_deletesOldDoneEvents_failedOnlyWhenAsked_andNeverPending(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        try await store.settle(makeRecord("evt_old_done", object: "a", receivedAt: 1_000), as: .claimed)
        let run = HandlerRun(handler: "h", attempt: 1, startedAt: 1, finishedAt: 2, succeeded: true, error: nil, output: nil)
        try store.recordHandlerRun(eventID: "evt_old_done", run: run)
        try store.complete(eventID: "evt_old_done", now: 10_000)
        try await store.settle(makeRecord("evt_old_failed", object: "b", receivedAt: 1_000), as: .failed)
        try await store.settle(makeRecord("evt_new_done", object: "c", receivedAt: 5_000), as: .done)
        _ = try await store.insert(makeRecord("evt_old_pending", object: "d", receivedAt: 1_000))

        #expect(try store.prune(olderThan: 2_000, includeFailed: false) == 1)
        #expect(try store.event(id: "evt_old_done") == nil)
        #expect(try store.event(id: "evt_old_failed") != nil)
        #expect(try store.prune(olderThan: 2_000, includeFailed: true) == 1)
        #expect(try store.event(id: "evt_old_failed") == nil)
        #expect(try store.prune(olderThan: 1_000_000, includeFailed: true) == 1)
        #expect(try store.list(status: nil, typePattern: nil, since: nil, limit: 10).map(\.record.id) == ["evt_old_pending"])

        // The pruned event's handler runs went with it: the id starts afresh if it ever comes back.
        #expect(try await store.insert(makeRecord("evt_old_done", object: "a")) == .stored)
        #expect(try store.event(id: "evt_old_done")?.handlers == [])
    }

    @Test(arguments: StoreKind.allCases)
    func list_filtersByStatusTypePatternAndTime_newestFirst(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        try await store.settle(makeRecord("evt_paid", type: "invoice.paid", object: "a", receivedAt: 1_000), as: .done)
        try await store.settle(makeRecord("evt_pfail", type: "invoice.payment_failed", object: "b", receivedAt: 2_000), as: .failed)
        _ = try await store.insert(makeRecord("evt_item", type: "invoiceitem.created", object: "c", receivedAt: 3_000))
        _ = try await store.insert(makeRecord("evt_charge", type: "charge.succeeded", object: "d", receivedAt: 4_000))

        func ids(_ status: EventStatus? = nil, _ pattern: String? = nil, since: Int64? = nil, limit: Int = 100) throws -> [String] {
            try store.list(status: status, typePattern: pattern, since: since, limit: limit).map(\.record.id)
        }
        #expect(try ids() == ["evt_charge", "evt_item", "evt_pfail", "evt_paid"])
        #expect(try ids(nil, "*") == ["evt_charge", "evt_item", "evt_pfail", "evt_paid"])
        #expect(try ids(nil, "invoice.*") == ["evt_pfail", "evt_paid"])
        #expect(try ids(nil, "invoice.paid") == ["evt_paid"])
        #expect(try ids(nil, "invoiceitem.*") == ["evt_item"])
        #expect(try ids(.pending) == ["evt_charge", "evt_item"])
        #expect(try ids(.failed, "invoice.*") == ["evt_pfail"])
        #expect(try ids(since: 2_000) == ["evt_charge", "evt_item", "evt_pfail"])
        #expect(try ids(limit: 2) == ["evt_charge", "evt_item"])
        #expect(try ids(.done, "charge.*") == [])
        #expect(try store.list(status: .done, typePattern: nil, since: nil, limit: 10).first?.status == .done)
    }

    @Test(arguments: StoreKind.allCases)
    func summary_countsStatusesClaimsAndTheOldestPendingEvent(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        #expect(try store.summary() == EventStoreSummary(counts: [:], claimed: 0, oldestPendingReceivedAt: nil))
        try await store.settle(makeRecord("evt_1", object: "a", receivedAt: 500), as: .done)
        try await store.settle(makeRecord("evt_2", object: "b", receivedAt: 700), as: .claimed)
        _ = try await store.insert(makeRecord("evt_3", object: "c", receivedAt: 900))

        let summary = try store.summary()
        #expect(summary.counts == [.pending: 2, .done: 1, .failed: 0])
        #expect(summary.claimed == 1)
        #expect(summary.oldestPendingReceivedAt == 700)
        #expect(try store.pendingCount() == 2)
        #expect(try store.oldestPendingReceivedAt() == 700)
    }
}
