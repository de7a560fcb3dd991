import Testing
@testable import EventStore

/// Where each stored event came from (`source`, schema version 6) survives storage and restarts.
struct EventSourceTests {
    @Test(arguments: StoreKind.allCases)
    func source_isStoredAndReadBack(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        var caughtUp = makeRecord("evt_backfilled", object: "in_9")
        caughtUp.source = .backfill
        _ = try await fixture.store.insert(makeRecord("evt_delivered"))
        _ = try await fixture.store.insert(caughtUp)
        // A delivery of an id a backfill stored first is a duplicate and keeps the first source.
        #expect(try await fixture.store.insert(makeRecord("evt_backfilled", object: "in_9")) == .duplicate)
        try fixture.restart()
        #expect(try fixture.store.event(id: "evt_delivered")?.record.source == .webhook)
        #expect(try fixture.store.event(id: "evt_backfilled")?.record.source == .backfill)
        let listed = try fixture.store.list(status: nil, typePattern: nil, since: nil, limit: 10)
        #expect(Set(listed.map { "\($0.record.id)=\($0.record.source.rawValue)" }) == ["evt_delivered=webhook", "evt_backfilled=backfill"])
        // Claimed work items carry the record too.
        let claimed = try fixture.store.claimDue(now: 10_000, limit: 10)
        #expect(claimed.count == 2)
    }

    @Test func migration6_marksEarlierEventsAsDeliveries() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let raw = try RawSQLite(fixture.path)
        #expect(try raw.integer("PRAGMA user_version") >= 6)
        #expect(try raw.text("SELECT dflt_value FROM pragma_table_info('events') WHERE name = 'source'") == "'webhook'")
        // The CHECK refuses any other value.
        #expect(throws: (any Error).self) {
            try raw.execute("INSERT INTO events (id, type, created, livemode, received_at, updated_at, source) VALUES ('evt_x', 't', 1, 0, 1, 1, 'carrier_pigeon')")
        }
    }
}
