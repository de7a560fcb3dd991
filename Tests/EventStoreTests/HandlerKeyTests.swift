import EventStore
import Foundation
import Testing
import WebhookSupport

/// Handler dedupe keys: one holder per (handler, key), atomic across threads, kept across restarts,
/// released when the holder is pruned.
@Suite struct HandlerKeyTests {
    @Test(arguments: StoreKind.allCases)
    func firstClaimWins_evenConcurrently_andTheHolderKeepsItAcrossRestarts(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let ids = (0..<8).map { "evt_key_\($0)" }
        for id in ids { #expect(try await fixture.store.insert(makeRecord(id, object: "obj_\(id)")) == .stored) }

        let store = fixture.store
        let holders = LockedValue<[String]>([])
        concurrently(ids.count) { index in
            let holder = try? store.claimHandlerKey(handler: "mark-paid", key: "in_1", eventID: ids[index], now: 1)
            holders.withLock { $0.append(holder ?? "error") }
        }
        let seen = holders.withLock { $0 }
        #expect(seen.count == ids.count)
        #expect(Set(seen).count == 1, "every claimant hears the same holder: \(seen)")
        let winner = try #require(seen.first)
        #expect(ids.contains(winner))

        // The holder claims again (a retry) and keeps it; another handler's namespace is separate.
        #expect(try store.claimHandlerKey(handler: "mark-paid", key: "in_1", eventID: winner, now: 2) == winner)
        let other = try #require(ids.first { $0 != winner })
        #expect(try store.claimHandlerKey(handler: "notify", key: "in_1", eventID: other, now: 2) == other)
        #expect(try store.claimHandlerKey(handler: "mark-paid", key: "in_2", eventID: other, now: 2) == other)

        try fixture.restart()
        #expect(try fixture.store.claimHandlerKey(handler: "mark-paid", key: "in_1", eventID: other, now: 3) == winner)
    }

    @Test(arguments: StoreKind.allCases)
    func pruningTheHolder_freesTheKey(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        try await fixture.store.settle(makeRecord("evt_old", object: "cs_1", receivedAt: 1_000), as: .done)
        #expect(try fixture.store.claimHandlerKey(handler: "h", key: "in_9", eventID: "evt_old", now: 10_000) == "evt_old")
        #expect(try await fixture.store.insert(makeRecord("evt_new", object: "in_9", receivedAt: 50_000)) == .stored)
        #expect(try fixture.store.claimHandlerKey(handler: "h", key: "in_9", eventID: "evt_new", now: 50_001) == "evt_old")

        #expect(try fixture.store.prune(olderThan: 2_000, includeFailed: false) == 1)
        #expect(try fixture.store.claimHandlerKey(handler: "h", key: "in_9", eventID: "evt_new", now: 50_002) == "evt_new")
    }

    @Test(arguments: StoreKind.allCases)
    func unknownEvent_cannotClaimAKey(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        #expect(throws: EventStoreError.self) {
            try fixture.store.claimHandlerKey(handler: "h", key: "k", eventID: "evt_nowhere", now: 1)
        }
    }
}
