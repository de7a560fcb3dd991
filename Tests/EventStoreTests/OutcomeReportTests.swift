import EventStore
import Foundation
import Testing

/// `report` and `reportAndClaim`: a worker's batch of outcomes recorded in one call, on both stores.
@Suite struct OutcomeReportTests {
    private func run(_ handler: String, succeeded: Bool, attempt: Int = 1) -> HandlerRun {
        HandlerRun(handler: handler, attempt: attempt, startedAt: 10_000, finishedAt: 10_005, succeeded: succeeded,
                   error: succeeded ? nil : "\(handler) broke", output: succeeded ? "ok" : nil)
    }

    @Test(arguments: StoreKind.allCases)
    func reportedBatch_recordsEveryRunAndEnding(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        for (index, id) in ["evt_a", "evt_b", "evt_c"].enumerated() {
            #expect(try await fixture.store.insert(makeRecord(id, object: "obj_\(index)")) == .stored)
        }
        #expect(try fixture.store.claimIDs(now: 10_000) == ["evt_a", "evt_b", "evt_c"])

        let errors = fixture.store.report([
            EventOutcome(eventID: "evt_a", runs: [run("fulfil", succeeded: true), run("notify", succeeded: true)], ending: .done, now: 10_010),
            EventOutcome(eventID: "evt_b", runs: [run("fulfil", succeeded: false)], ending: .retry(at: 20_000, error: "fulfil: fulfil broke"), now: 10_010),
            EventOutcome(eventID: "evt_c", runs: [run("fulfil", succeeded: false)], ending: .failed(error: "fulfil: gave up"), now: 10_010),
        ])
        #expect(errors.count == 3 && errors.allSatisfy { $0 == nil })

        let a = try #require(try fixture.store.event(id: "evt_a"))
        #expect(a.status == .done && !a.isClaimed)
        #expect(a.handlers.map(\.handler).sorted() == ["fulfil", "notify"] && a.handlers.allSatisfy(\.succeeded))
        let b = try #require(try fixture.store.event(id: "evt_b"))
        #expect(b.status == .pending && b.nextAttemptAt == 20_000 && b.lastError == "fulfil: fulfil broke" && !b.isClaimed)
        #expect(b.handlers.map(\.error) == ["fulfil broke"])
        let c = try #require(try fixture.store.event(id: "evt_c"))
        #expect(c.status == .failed && c.lastError == "fulfil: gave up")
        // The retried event comes back when due, with nothing succeeded yet.
        #expect(try fixture.store.claimIDs(now: 19_999).isEmpty)
        #expect(try fixture.store.claimIDs(now: 20_000) == ["evt_b"])
    }

    @Test(arguments: StoreKind.allCases)
    func oneOutcomeWithoutItsClaim_failsAlone(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        #expect(try await fixture.store.insert(makeRecord("evt_claimed", object: "obj_1")) == .stored)
        #expect(try await fixture.store.insert(makeRecord("evt_unclaimed", object: "obj_2", receivedAt: 2_000)) == .stored)
        #expect(try fixture.store.claimIDs(now: 10_000, limit: 1) == ["evt_claimed"])

        let errors = fixture.store.report([
            EventOutcome(eventID: "evt_unclaimed", runs: [run("fulfil", succeeded: true)], ending: .done, now: 10_010),
            EventOutcome(eventID: "evt_claimed", runs: [run("fulfil", succeeded: true)], ending: .done, now: 10_010),
        ])
        #expect(errors[0]?.kind == .notClaimed)
        #expect(errors[1] == nil)
        // The unclaimed event kept no run and is still pending; the claimed one is done.
        let unclaimed = try #require(try fixture.store.event(id: "evt_unclaimed"))
        #expect(unclaimed.status == .pending && unclaimed.handlers.isEmpty)
        #expect(try fixture.store.event(id: "evt_claimed")?.status == .done)
    }

    @Test(arguments: StoreKind.allCases)
    func reportAndClaim_recordsThenClaimsTheNextEventOfTheSameObject(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        // Two events about one object: the second is claimable only once the first is done.
        #expect(try await fixture.store.insert(makeRecord("evt_first", object: "pi_1")) == .stored)
        #expect(try await fixture.store.insert(makeRecord("evt_second", object: "pi_1", receivedAt: 2_000)) == .stored)
        let first = fixture.store.reportAndClaim([], now: 10_000, limit: 10)
        #expect(try first.claimed.get().map(\.event.id) == ["evt_first"])

        let next = fixture.store.reportAndClaim(
            [EventOutcome(eventID: "evt_first", runs: [run("fulfil", succeeded: true)], ending: .done, now: 10_010)],
            now: 10_010, limit: 10)
        #expect(next.reportErrors.count == 1 && next.reportErrors[0] == nil)
        let items = try next.claimed.get()
        #expect(items.map(\.event.id) == ["evt_second"])
        #expect(items.first?.attempt == 1)
        #expect(try fixture.store.event(id: "evt_first")?.status == .done)
        #expect(try fixture.store.event(id: "evt_second")?.isClaimed == true)

        // Nothing left: an empty turn claims nothing.
        let last = fixture.store.reportAndClaim(
            [EventOutcome(eventID: "evt_second", runs: [], ending: .done, now: 10_020)], now: 10_020, limit: 10)
        #expect(try last.claimed.get().isEmpty)
        #expect(try fixture.store.summary().counts[.done] == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func release_returnsUnstartedClaimsToPending_withoutSpendingAnAttempt(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        #expect(try await fixture.store.insert(makeRecord("evt_a", object: "obj_1")) == .stored)
        #expect(try await fixture.store.insert(makeRecord("evt_b", object: "obj_1", receivedAt: 2_000)) == .stored)
        #expect(try await fixture.store.insert(makeRecord("evt_c", object: "obj_2", receivedAt: 3_000)) == .stored)
        #expect(try fixture.store.claimIDs(now: 10_000) == ["evt_a", "evt_c"])

        // Ids not claimed here (evt_b waits behind evt_a; evt_x does not exist) are left alone.
        #expect(try fixture.store.release(eventIDs: ["evt_a", "evt_c", "evt_b", "evt_x"]) == 2)
        for id in ["evt_a", "evt_c"] {
            let event = try #require(try fixture.store.event(id: id))
            #expect(event.status == .pending && !event.isClaimed && event.attempts == 0, "\(id)")
        }
        #expect(try fixture.store.summary().claimed == 0)
        // Claimable again at once, in the same order, as a first attempt.
        let again = try fixture.store.claimDue(now: 10_001, limit: 10)
        #expect(again.map(\.event.id) == ["evt_a", "evt_c"])
        #expect(again.map(\.attempt) == [1, 1])
    }

    @Test(arguments: StoreKind.allCases)
    func claimedItem_countsEachHandlersRecordedRuns(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        #expect(try await fixture.store.insert(makeRecord("evt_runs")) == .stored)
        #expect(try fixture.store.claimIDs(now: 10_000) == ["evt_runs"])
        let errors = fixture.store.report([EventOutcome(
            eventID: "evt_runs", runs: [run("fulfil", succeeded: true), run("notify", succeeded: false)],
            ending: .retry(at: 10_000, error: "notify: notify broke"), now: 10_010)])
        #expect(errors == [nil])
        // A claim that ran nothing (a crash), then the next one.
        #expect(try fixture.store.claimIDs(now: 10_020) == ["evt_runs"])
        try fixture.restart()
        let item = try #require(try fixture.store.claimDue(now: 10_030, limit: 1).first)
        #expect(item.attempt == 3)
        #expect(item.handlerRuns == ["fulfil": 1, "notify": 1])
        #expect(item.succeededHandlers == ["fulfil"])
        #expect(item.attempt(of: "notify") == 2)
        #expect(item.attempt(of: "never-ran") == 1)
    }
}
