import Testing
@testable import EventStore

/// Per object, pending events are claimed in Stripe's `created` order (ties by arrival), and an event
/// created before one already handled for its object is claimed as stale, naming the newer one.
struct StaleEventTests {
    static func record(_ id: String, object: String = "in_1", created: Int64) -> EventRecord {
        var record = makeRecord(id, object: object)
        record.created = created
        return record
    }

    @Test(arguments: StoreKind.allCases)
    func lateDeliveryOfAnOlderEvent_isClaimedFirst(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        // Stripe created paid (t=20) after created (t=10), but delivered paid first; a third event ties with paid.
        _ = try await fixture.store.insert(Self.record("evt_paid", created: 20))
        _ = try await fixture.store.insert(Self.record("evt_created", created: 10))
        _ = try await fixture.store.insert(Self.record("evt_tie", created: 20))
        _ = try await fixture.store.insert(Self.record("evt_other", object: "cus_1", created: 5))
        var order: [String] = []
        while order.count < 4 {
            let items = try fixture.store.claimDue(now: 10_000, limit: 10)
            #expect(!items.isEmpty, "nothing claimable after \(order)")
            if items.isEmpty { break }
            for item in items {
                #expect(!item.isStale)
                order.append(item.event.id)
                try fixture.store.complete(eventID: item.event.id, now: 10_000)
            }
        }
        let aboutInvoice = order.filter { $0 != "evt_other" }
        #expect(aboutInvoice == ["evt_created", "evt_paid", "evt_tie"])
        #expect(Set(order) == ["evt_created", "evt_paid", "evt_tie", "evt_other"])
    }

    @Test(arguments: StoreKind.allCases)
    func anEventOlderThanOneHandled_isStale_namingTheNewerOne(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(Self.record("evt_new", created: 30))
        let first = try fixture.store.claimDue(now: 10_000, limit: 10)
        #expect(first.map(\.event.id) == ["evt_new"] && first[0].newerHandledEventID == nil)
        try fixture.store.complete(eventID: "evt_new", now: 10_000)

        // The older state arrives after the newer one was handled.
        _ = try await fixture.store.insert(Self.record("evt_old", created: 10))
        _ = try await fixture.store.insert(Self.record("evt_later", created: 40))
        _ = try await fixture.store.insert(Self.record("evt_unrelated", object: "cus_9", created: 1))
        let second = try fixture.store.claimDue(now: 10_000, limit: 10)
        let byID = Dictionary(uniqueKeysWithValues: second.map { ($0.event.id, $0) })
        #expect(byID["evt_old"]?.newerHandledEventID == "evt_new")
        #expect(byID["evt_unrelated"]?.isStale == false)
        try fixture.store.complete(eventID: "evt_old", now: 10_000)
        let third = try fixture.store.claimDue(now: 10_000, limit: 10)
        #expect(third.map(\.event.id) == ["evt_later"])
        #expect(third.first?.isStale == false)
    }
}

/// What the durable stores name as the newer handled event follows the events that are done now: a
/// forced replay takes its event out until it is done again, and a pruned event is never named (the
/// SQLite store keeps each object's latest done event in `object_progress`, migration 13). The memory
/// store, which holds no history across restarts, remembers the newest done event instead.
struct StaleEventProgressTests {
    static func record(_ id: String, created: Int64, receivedAt: Int64) -> EventRecord {
        var record = makeRecord(id, object: "in_1", receivedAt: receivedAt)
        record.created = created
        return record
    }

    @Test(arguments: StoreKind.allCases.filter { $0 != .memory })
    func forcedReplayAndPrune_nameOnlyEventsDoneAndStoredNow(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(Self.record("evt_mid", created: 20, receivedAt: 2_000), as: .done)
        try await store.settle(Self.record("evt_new", created: 30, receivedAt: 1_000), as: .done)

        // Replayed, evt_new is pending again: an older event claimed meanwhile names evt_mid.
        #expect(try store.requeue(ids: ["evt_new"], force: true, now: 10_000) == ["evt_new": .requeued])
        #expect(try await store.insert(Self.record("evt_old", created: 10, receivedAt: 3_000)) == .stored)
        let old = try store.claimDue(now: 10_000, limit: 10)
        #expect(old.map(\.event.id) == ["evt_old"] && old.first?.newerHandledEventID == "evt_mid")
        try store.complete(eventID: "evt_old", now: 10_000)
        let replayed = try store.claimDue(now: 10_000, limit: 10)
        #expect(replayed.map(\.event.id) == ["evt_new"] && replayed.first?.isStale == false)
        try store.complete(eventID: "evt_new", now: 10_000)

        // evt_new, done again, is named; once pruned, the latest done event still stored is.
        try await store.settle(Self.record("evt_older", created: 5, receivedAt: 4_000), as: .claimed)
        try store.complete(eventID: "evt_older", now: 10_000)
        #expect(try store.event(id: "evt_older")?.status == .done)
        #expect(try store.prune(olderThan: 1_500, includeFailed: false) == 1)
        #expect(try store.event(id: "evt_new") == nil)
        #expect(try await store.insert(Self.record("evt_oldest", created: 1, receivedAt: 5_000)) == .stored)
        let oldest = try store.claimDue(now: 10_000, limit: 10)
        #expect(oldest.first?.newerHandledEventID == "evt_mid")
        try store.complete(eventID: "evt_oldest", now: 10_000)

        // With every event about the object pruned, nothing about it was handled.
        #expect(try store.prune(olderThan: 10_000, includeFailed: false) == 4)
        #expect(try await store.insert(Self.record("evt_again", created: 2, receivedAt: 20_000)) == .stored)
        #expect(try store.claimDue(now: 30_000, limit: 10).map(\.isStale) == [false])
    }
}
