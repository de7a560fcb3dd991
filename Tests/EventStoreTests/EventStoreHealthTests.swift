import EventStore
import Foundation
import Testing
import WebhookSupport

/// `health.insertFailure` tells whether inserts commit: set by a failed insert batch, cleared only by
/// a write that stores events (an insert or the readiness probe, which inserts a probe event), never
/// by other writes that happen to succeed while inserts fail.
@Suite struct EventStoreHealthTests {
    @Test func fullDatabase_failsTheProbeAndHealth_untilPruningMakesRoom() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(maxDatabaseBytes: 48 * 4_096))
        defer { fixture.tearDown() }
        let store = fixture.store
        let big = [UInt8](repeating: 0x41, count: 3_000)
        for index in 0..<8 {
            try await store.settle(makeRecord("evt_old_\(index)", object: "old_\(index)", receivedAt: 1, body: big), as: .done)
        }
        try store.checkWritable()
        var filled = false
        for index in 0..<200 {
            if case .failure = insertAndWait(makeRecord("evt_fill_\(index)", object: nil, receivedAt: 5_000, body: big), into: store) {
                filled = true
                break
            }
        }
        #expect(filled, "the size cap was never reached")
        let failure = try #require(store.health.insertFailure)
        #expect(failure.contains("full"))
        // The probe takes the insert path, so it fails like a delivery does.
        let probe = #expect(throws: EventStoreError.self) { try store.checkWritable() }
        #expect(probe?.message.contains("full") == true)
        #expect(store.health.insertFailure != nil)

        #expect(try store.prune(olderThan: 2, includeFailed: false) == 8)
        #expect(store.health.insertFailure != nil, "a prune is no insert: health waits for proof that inserts commit")
        try store.checkWritable()
        #expect(store.health.insertFailure == nil)
        #expect(try store.event(id: "evt_webhookd_readiness_probe") == nil, "the probe event is never kept")
    }

    @Test func failingInsertTrigger_failsInsertsAndProbe_butNotOtherWrites() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let store = fixture.store
        #expect(try await store.insert(makeRecord("evt_ok")) == .stored)
        // Another connection makes every insert fail, as a full disk would for the inserts only.
        let other = try RawSQLite(fixture.path)
        try other.execute("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected insert failure'); END")
        guard case .failure = insertAndWait(makeRecord("evt_refused", object: "in_2"), into: store) else {
            Issue.record("the insert was stored despite the trigger")
            return
        }
        #expect(store.health.insertFailure?.contains("injected insert failure") == true)
        #expect(try store.requeue(ids: ["evt_ok"], force: true, now: 2_000)["evt_ok"] == .requeued, "other writes still commit")
        #expect(store.health.insertFailure != nil)
        #expect(throws: EventStoreError.self) { try store.checkWritable() }

        try other.execute("DROP TRIGGER refuse")
        try store.checkWritable()
        #expect(store.health == EventStoreHealth())
    }
}
