import EventStore
import Foundation
import Testing

/// The console's reads against both stores: keyset pages newest first with every filter, hourly
/// counts that follow status changes, handler failure rates, events about the same object, dead
/// letters by type.
@Suite struct EventQueryTests {
    private static let hour = HourlyEventCount.hourMillis

    /// Ids of every page of `query`, following `next` until the last page.
    private func allPages(_ store: any EventStore, _ query: EventQuery) throws -> [[String]] {
        var query = query
        var pages: [[String]] = []
        while true {
            let page = try store.events(matching: query)
            pages.append(page.events.map(\.record.id))
            guard let next = page.next else { return pages }
            query.after = next
            if pages.count > 100 { Issue.record("pages never end"); return pages }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pages_comeNewestFirstByReceiveTime_withoutGapsOrRepeats(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        // Stored out of receive order, with ties on received_at broken by store order.
        let received: [(String, Int64)] = [("evt_a", 5_000), ("evt_b", 1_000), ("evt_c", 5_000), ("evt_d", 9_000), ("evt_e", 3_000), ("evt_f", 5_000), ("evt_g", 7_000)]
        for (id, at) in received { #expect(try await store.insert(makeRecord(id, object: nil, receivedAt: at)) == .stored) }

        let pages = try allPages(store, EventQuery(limit: 3))
        #expect(pages == [["evt_d", "evt_g", "evt_f"], ["evt_c", "evt_a", "evt_e"], ["evt_b"]])
        // A page that ends exactly at the last event says there is no next page.
        #expect(try allPages(store, EventQuery(limit: 7)).count == 1)
        #expect(try store.events(matching: EventQuery(limit: 3)).events.allSatisfy { $0.handlers.isEmpty })
    }

    @Test(arguments: StoreKind.allCases)
    func filters_narrowByStatusTypeTimeObjectAndID(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(makeRecord("evt_failed", type: "invoice.payment_failed", object: "in_1", receivedAt: 1_000), as: .failed)
        try await store.settle(makeRecord("evt_done", type: "invoice.paid", object: "in_2", receivedAt: 2_000), as: .done)
        #expect(try await store.insert(makeRecord("evt_item", type: "invoiceitem.created", object: "ii_1", receivedAt: 3_000)) == .stored)
        #expect(try await store.insert(makeRecord("evt_paid", type: "invoice.paid", object: "in_1", receivedAt: 4_000)) == .stored)
        #expect(try await store.insert(makeRecord("evt_pi", type: "payment_intent.succeeded", object: "pi_1", receivedAt: 5_000)) == .stored)

        func ids(_ change: (inout EventQuery) -> Void) throws -> [String] {
            var query = EventQuery(limit: 50)
            change(&query)
            return try store.events(matching: query).events.map(\.record.id)
        }
        #expect(try ids { $0.status = .failed } == ["evt_failed"])
        #expect(try ids { $0.status = .done } == ["evt_done"])
        #expect(try ids { $0.status = .pending } == ["evt_pi", "evt_paid", "evt_item"])
        #expect(try ids { $0.typePattern = "invoice.paid" } == ["evt_paid", "evt_done"])
        // A prefix pattern never matches invoiceitem.*.
        #expect(try ids { $0.typePattern = "invoice.*" } == ["evt_paid", "evt_done", "evt_failed"])
        #expect(try ids { $0.receivedFrom = 2_000; $0.receivedBefore = 4_000 } == ["evt_item", "evt_done"])
        #expect(try ids { $0.objectID = "in_1" } == ["evt_paid", "evt_failed"])
        #expect(try ids { $0.objectID = "in_1"; $0.status = .failed } == ["evt_failed"])
        #expect(try ids { $0.eventID = "evt_pi" } == ["evt_pi"])
        #expect(try ids { $0.eventID = "evt_pi"; $0.status = .done } == [])
        #expect(try ids { $0.typePattern = "invoice.paid"; $0.status = .pending; $0.receivedFrom = 3_000 } == ["evt_paid"])
        // Paging a filtered list keeps the filter.
        var query = EventQuery(limit: 1)
        query.typePattern = "invoice.*"
        #expect(try allPages(store, query) == [["evt_paid"], ["evt_done"], ["evt_failed"]])
    }

    @Test(arguments: StoreKind.allCases)
    func hourlyCounts_countByHourTypeAndCurrentStatus(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        let h = Self.hour
        try await store.settle(makeRecord("evt_1", type: "invoice.paid", object: "in_1", receivedAt: 10 * h + 5), as: .failed, now: 11 * h)
        #expect(try await store.insert(makeRecord("evt_2", type: "invoice.paid", object: "in_2", receivedAt: 10 * h + 900)) == .stored)
        #expect(try await store.insert(makeRecord("evt_3", type: "charge.refunded", object: "ch_1", receivedAt: 11 * h + 1)) == .stored)
        #expect(try await store.insert(makeRecord("evt_old", type: "charge.refunded", object: "ch_2", receivedAt: 2 * h)) == .stored)

        let counts = try store.hourlyCounts(since: 10 * h)
        #expect(counts == [
            HourlyEventCount(hourStart: 10 * h, type: "invoice.paid", status: .failed, count: 1),
            HourlyEventCount(hourStart: 10 * h, type: "invoice.paid", status: .pending, count: 1),
            HourlyEventCount(hourStart: 11 * h, type: "charge.refunded", status: .pending, count: 1),
        ])
        // A requeued dead letter moves back to pending in its hour.
        #expect(try store.requeueFailed(typePattern: nil, now: 12 * h) == 1)
        #expect(try store.hourlyCounts(since: 10 * h).first == HourlyEventCount(hourStart: 10 * h, type: "invoice.paid", status: .pending, count: 2))
        #expect(try store.hourlyCounts(since: 0).contains(HourlyEventCount(hourStart: 2 * h, type: "charge.refunded", status: .pending, count: 1)))
    }

    @Test(arguments: StoreKind.allCases)
    func handlerFailureRates_countRunsAndFailuresSinceACutoff(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        let h = Self.hour
        for (index, id) in ["evt_1", "evt_2", "evt_3"].enumerated() {
            #expect(try await store.insert(makeRecord(id, object: nil, receivedAt: Int64(index))) == .stored)
        }
        #expect(try store.claimIDs(now: 10 * h).count == 3)
        try store.recordHandlerRun(eventID: "evt_1", run: HandlerRun(handler: "crm", attempt: 1, startedAt: 10 * h, finishedAt: 10 * h + 5, succeeded: false, error: "503", output: nil))
        try store.recordHandlerRun(eventID: "evt_2", run: HandlerRun(handler: "crm", attempt: 1, startedAt: 10 * h, finishedAt: 10 * h + 5, succeeded: true, error: nil, output: nil))
        try store.recordHandlerRun(eventID: "evt_3", run: HandlerRun(handler: "crm", attempt: 1, startedAt: 11 * h, finishedAt: 11 * h + 5, succeeded: true, error: nil, output: nil))
        try store.recordHandlerRun(eventID: "evt_3", run: HandlerRun(handler: "mail", attempt: 1, startedAt: 11 * h, finishedAt: 11 * h + 5, succeeded: false, error: "exit 1", output: nil))
        try store.recordHandlerRun(eventID: "evt_1", run: HandlerRun(handler: "old", attempt: 1, startedAt: 2 * h, finishedAt: 2 * h, succeeded: false, error: "x", output: nil))

        let rates = try store.handlerFailureRates(since: 10 * h)
        #expect(rates == [HandlerFailureRate(handler: "crm", runs: 3, failures: 1), HandlerFailureRate(handler: "mail", runs: 1, failures: 1)])
        #expect(abs(rates[0].rate - 1.0 / 3.0) < 1e-9)
    }

    @Test(arguments: StoreKind.allCases)
    func relatedEvents_areTheObjectsEventsBeforeAndAfter(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        for (index, id) in ["evt_1", "evt_2", "evt_3", "evt_4", "evt_5"].enumerated() {
            #expect(try await store.insert(makeRecord(id, object: "in_1", receivedAt: Int64(1_000 + index))) == .stored)
        }
        #expect(try await store.insert(makeRecord("evt_other", object: "in_2", receivedAt: 1_002)) == .stored)
        #expect(try await store.insert(makeRecord("evt_none", object: nil, receivedAt: 1_002)) == .stored)

        let related = try store.relatedEvents(to: "evt_3", limit: 10)
        #expect(related.before.map(\.record.id) == ["evt_2", "evt_1"])
        #expect(related.after.map(\.record.id) == ["evt_4", "evt_5"])
        let nearest = try store.relatedEvents(to: "evt_3", limit: 1)
        #expect(nearest.before.map(\.record.id) == ["evt_2"] && nearest.after.map(\.record.id) == ["evt_4"])
        #expect(try store.relatedEvents(to: "evt_none", limit: 10) == RelatedEvents(before: [], after: []))
        #expect(try store.relatedEvents(to: "evt_unknown", limit: 10) == RelatedEvents(before: [], after: []))
    }

    @Test(arguments: StoreKind.allCases)
    func deadLetterCounts_countFailedEventsByType(_ kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.tearDown() }
        let store = fixture.store
        try await store.settle(makeRecord("evt_1", type: "invoice.paid", object: "in_1"), as: .failed)
        try await store.settle(makeRecord("evt_2", type: "invoice.paid", object: "in_2"), as: .failed)
        try await store.settle(makeRecord("evt_3", type: "charge.refunded", object: "ch_1"), as: .failed)
        try await store.settle(makeRecord("evt_4", type: "charge.refunded", object: "ch_2"), as: .done)
        #expect(try store.deadLetterCounts() == ["invoice.paid": 2, "charge.refunded": 1])
        #expect(try store.requeueFailed(typePattern: "invoice.paid", now: 20_000) == 2)
        #expect(try store.deadLetterCounts() == ["charge.refunded": 1])
    }

    @Test func cursorToken_roundTripsAndRejectsGarbage() {
        let cursor = EventCursor(receivedAt: 1_764_979_200_123, sequence: 42)
        #expect(EventCursor(token: cursor.token) == cursor)
        for garbage in ["", "12", "a-1", "1-b", "1-2-3", "-1-2", "1--2"] { #expect(EventCursor(token: garbage) == nil, "\(garbage)") }
    }
}

/// Migration 6 on a database that already holds events: the hourly tables start from what is stored.
@Suite struct ConsoleMigrationTests {
    @Test func migratingADatabaseWithEvents_backfillsHourlyCountsAndFailureRates() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let h = HourlyEventCount.hourMillis
        try await fixture.store.settle(makeRecord("evt_1", type: "invoice.paid", object: "in_1", receivedAt: 3 * h), as: .claimed, now: 3 * h)
        try fixture.store.recordHandlerRun(eventID: "evt_1", run: HandlerRun(handler: "crm", attempt: 1, startedAt: 3 * h, finishedAt: 3 * h, succeeded: false, error: "x", output: nil))
        try fixture.store.markFailed(eventID: "evt_1", error: "x", now: 3 * h)
        #expect(try await fixture.store.insert(makeRecord("evt_2", type: "invoice.paid", object: "in_2", receivedAt: 3 * h + 1)) == .stored)
        fixture.store.close()
        // Back to the version before the console's migration, as a database written by the previous release.
        let raw = try RawSQLite(fixture.path)
        let version = try raw.integer("SELECT version FROM schema_migrations WHERE summary = 'console: indexes and hourly counts'")
        // The migrations after the console's (bodies apart from their state, issue 17, and later) are undone first.
        let bodiesVersion = try raw.integer("SELECT version FROM schema_migrations WHERE summary = 'event bodies apart from their handling state'")
        let current = try raw.integer("PRAGMA user_version")
        #expect(bodiesVersion == version + 1, "the bodies migration comes right after the console's")
        // Handler runs keyed by seq and each object's latest handled event (12, 13) are undone to their
        // version 10 shape; the other later migrations only replace triggers (10), so they can be
        // forgotten and run again.
        try raw.execute("""
            DROP TRIGGER object_progress_on_done; DROP TRIGGER object_progress_on_requeue; DROP TRIGGER object_progress_on_delete;
            DROP TABLE object_progress;
            CREATE INDEX events_done_object ON events (object_id, created) WHERE status = 'done' AND object_id IS NOT NULL;
            CREATE TABLE handler_runs_by_id (
                event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE, replay INTEGER NOT NULL, handler TEXT NOT NULL,
                attempt INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER,
                succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1)), error TEXT, output TEXT);
            INSERT INTO handler_runs_by_id SELECT e.id, r.replay, r.handler, r.attempt, r.started_at, r.finished_at, r.succeeded, r.error, r.output
                FROM handler_runs AS r JOIN events AS e ON e.seq = r.event_seq ORDER BY r.rowid;
            DROP TRIGGER handler_runs_on_delete; DROP TABLE handler_runs;
            ALTER TABLE handler_runs_by_id RENAME TO handler_runs;
            CREATE INDEX handler_runs_event ON handler_runs (event_id, replay, handler);
            -- A stand-in for migration 8's trigger, which its undo below drops.
            CREATE TRIGGER handler_hours_on_insert AFTER INSERT ON handler_runs BEGIN SELECT 1; END;
            """)
        try raw.execute("DELETE FROM schema_migrations WHERE version > \(bodiesVersion)")
        try raw.execute("""
            ALTER TABLE events ADD COLUMN body BLOB NOT NULL DEFAULT x'';
            UPDATE events SET body = (SELECT b.body FROM event_bodies AS b WHERE b.seq = events.seq);
            DROP TRIGGER event_bodies_on_delete; DROP TABLE event_bodies;
            DELETE FROM schema_migrations WHERE version = \(bodiesVersion);
            """)
        try raw.execute("""
            DROP TRIGGER event_hours_on_insert; DROP TRIGGER event_hours_on_status; DROP TRIGGER event_hours_on_delete;
            DROP TRIGGER handler_hours_on_insert; DROP TABLE event_hours; DROP TABLE handler_hours;
            DROP INDEX events_object; DROP INDEX events_type; DROP INDEX events_failed_received; DROP INDEX events_failed_type;
            DELETE FROM schema_migrations WHERE version = \(version); PRAGMA user_version = \(version - 1);
            """)
        try fixture.restart()
        #expect(try raw.integer("PRAGMA user_version") == current)
        #expect(try fixture.store.hourlyCounts(since: 0) == [
            HourlyEventCount(hourStart: 3 * h, type: "invoice.paid", status: .failed, count: 1),
            HourlyEventCount(hourStart: 3 * h, type: "invoice.paid", status: .pending, count: 1),
        ])
        #expect(try fixture.store.handlerFailureRates(since: 0) == [HandlerFailureRate(handler: "crm", runs: 1, failures: 1)])
        #expect(try fixture.store.deadLetterCounts() == ["invoice.paid": 1])
    }
}
