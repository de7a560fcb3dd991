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
