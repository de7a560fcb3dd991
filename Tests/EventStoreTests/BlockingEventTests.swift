import EventStore
import Foundation
import Testing

/// Head-of-line per object: which event holds a pending one back (`events show`/`list` print it), and
/// what a prune would delete (`events prune --dry-run`), against both stores.
@Suite struct BlockingEventTests {
    @Test(arguments: StoreKind.allCases)
    func laterEventAboutAFailingObject_namesTheFailingEventWithItsRetryAndError(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(makeRecord("evt_head", object: "in_1"), as: .waiting(until: 70_000), now: 10_000)
        #expect(try await store.insert(makeRecord("evt_next", object: "in_1")) == .stored)
        #expect(try await store.insert(makeRecord("evt_third", object: "in_1")) == .stored)
        #expect(try await store.insert(makeRecord("evt_other", object: "in_2")) == .stored)
        #expect(try await store.insert(makeRecord("evt_loose", object: nil)) == .stored)

        let blocker = try #require(try store.blockingEvent(of: "evt_next", now: 20_000))
        #expect(blocker.record.id == "evt_head")
        #expect(blocker.attempts == 1)
        #expect(blocker.nextAttemptAt == 70_000)
        #expect(blocker.lastError == "try later")
        // The third waits behind the oldest, not behind the one just before it.
        #expect(try store.blockingEvent(of: "evt_third", now: 20_000)?.record.id == "evt_head")
        // The head waits only for its own retry; others about other objects, or none, wait for nothing.
        #expect(try store.blockingEvent(of: "evt_head", now: 20_000) == nil)
        #expect(try store.blockingEvent(of: "evt_other", now: 20_000) == nil)
        #expect(try store.blockingEvent(of: "evt_loose", now: 20_000) == nil)
        #expect(try store.blockingEvent(of: "evt_unknown", now: 20_000) == nil)
        // And indeed the store claims the others, never the blocked ones.
        #expect(Set(try store.claimIDs(now: 20_000)) == ["evt_other", "evt_loose"])
    }

    @Test(arguments: StoreKind.allCases)
    func onceTheHeadIsADeadLetter_theNextIsNoLongerHeldBack(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(makeRecord("evt_head", object: "in_1"), as: .claimed, now: 10_000)
        #expect(try await store.insert(makeRecord("evt_next", object: "in_1")) == .stored)
        #expect(try store.blockingEvent(of: "evt_next", now: 10_000)?.record.id == "evt_head")
        #expect(try store.blockingEvent(of: "evt_next", now: 10_000)?.isClaimed == true)

        try store.markFailed(eventID: "evt_head", error: "gave up", now: 11_000)
        #expect(try store.blockingEvent(of: "evt_next", now: 11_000) == nil)
        #expect(try store.claimIDs(now: 11_000) == ["evt_next"])
        // A claimed event is not waiting: it names no blocker.
        #expect(try store.blockingEvent(of: "evt_next", now: 11_000) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func requeuedOlderEvent_waitsBehindTheNewerOneBeingHandled(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(makeRecord("evt_old", object: "in_1"), as: .failed, now: 10_000)
        try await store.settle(makeRecord("evt_new", object: "in_1"), as: .claimed, now: 10_000)
        #expect(try store.requeue(ids: ["evt_old"], force: false, now: 10_000) == ["evt_old": .requeued])

        let blocker = try #require(try store.blockingEvent(of: "evt_old", now: 10_000))
        #expect(blocker.record.id == "evt_new")
        #expect(blocker.isClaimed)
        #expect(try store.claimIDs(now: 10_000).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func prunableCounts_matchWhatPruneThenDeletes(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(makeRecord("evt_done_old", object: "a", receivedAt: 1_000), as: .done)
        try await store.settle(makeRecord("evt_failed_old", object: "b", receivedAt: 1_000), as: .failed)
        try await store.settle(makeRecord("evt_done_new", object: "c", receivedAt: 9_000), as: .done)
        #expect(try await store.insert(makeRecord("evt_pending_old", object: "d", receivedAt: 1_000)) == .stored)

        #expect(try store.prunableCounts(olderThan: 5_000, includeFailed: false) == [.done: 1])
        #expect(try store.prunableCounts(olderThan: 5_000, includeFailed: true) == [.done: 1, .failed: 1])
        #expect(try store.prunableCounts(olderThan: 500, includeFailed: true) == [:])
        // Counting deleted nothing.
        #expect(try store.list(status: nil, typePattern: nil, since: nil, limit: 10).count == 4)
        #expect(try store.prune(olderThan: 5_000, includeFailed: true) == 2)
        #expect(try store.prunableCounts(olderThan: 5_000, includeFailed: true) == [:])
    }
}
