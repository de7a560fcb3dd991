@testable import EventStore
import Foundation
import Testing
import WebhookSupport

/// The migration that puts bodies in `event_bodies`, apart from the handling state in `events`. A store
/// written at the version before it, with events in every status, migrates on open and behaves as before.
@Suite struct EventBodiesMigrationTests {
    /// The version the bodies migration brings a store to (found by its summary: migrations are
    /// renumbered when branches merge).
    static let bodiesVersion = SQLiteSchema.migrations.first { $0.summary.hasPrefix("event bodies apart") }?.version ?? 0

    /// The body stored for `id` at version 7: a pretty-printed event of about Stripe's size, so that
    /// a lost or truncated byte shows.
    static func body(_ id: String) -> [UInt8] {
        let padding = String(repeating: "x", count: 2_400)
        return Array("{\n  \"id\": \"\(id)\",\n  \"object\": \"event\",\n  \"padding\": \"\(padding)\"\n}".utf8)
    }

    /// Creates a database at the schema version before the bodies migration, holding one event per
    /// status and claim state.
    static func makePreviousVersionStore(at path: String) throws {
        #expect(bodiesVersion > 7)
        let raw = try RawSQLite(path)
        try raw.execute("PRAGMA journal_mode = WAL")
        for migration in SQLiteSchema.migrations where migration.version < bodiesVersion {
            try raw.execute(migration.sql)
            try raw.execute("INSERT INTO schema_migrations (version, summary, applied_at) VALUES (\(migration.version), 'test', 0)")
        }
        try raw.execute("PRAGMA user_version = \(bodiesVersion - 1); PRAGMA application_id = \(SQLiteSchema.applicationID)")
        // id, object, created, status, attempts, next attempt, last error, claimed by, claim expiry
        let rows: [(String, String?, Int, String, Int, String, String, String, String)] = [
            ("evt_done", "pi_1", 100, "done", 1, "NULL", "NULL", "NULL", "NULL"),
            ("evt_failed", "pi_2", 100, "failed", 5, "NULL", "'boom'", "NULL", "NULL"),
            // Claimed by a daemon that died: its lease ran out.
            ("evt_claimed", "pi_3", 100, "pending", 1, "NULL", "NULL", "'dead-daemon'", "1500"),
            ("evt_behind", "pi_3", 200, "pending", 0, "NULL", "NULL", "NULL", "NULL"),
            ("evt_retry", "pi_4", 100, "pending", 2, "5000", "'timeout'", "NULL", "NULL"),
            ("evt_no_object", nil, 100, "pending", 0, "NULL", "NULL", "NULL", "NULL"),
        ]
        for (id, object, created, status, attempts, next, error, claimedBy, expires) in rows {
            let hex = body(id).map { String(format: "%02x", $0) }.joined()
            try raw.execute("""
                INSERT INTO events (id, type, object_id, created, livemode, account, api_version, body, received_at, verified_by,
                    status, attempts, next_attempt_at, last_error, updated_at, claimed_by, claim_expires_at)
                VALUES ('\(id)', 'payment_intent.succeeded', \(object.map { "'\($0)'" } ?? "NULL"), \(created), 0, NULL, '2024-06-20',
                    x'\(hex)', 1000, 'primary', '\(status)', \(attempts), \(next), \(error), 1000, \(claimedBy), \(expires))
                """)
        }
        try raw.execute("""
            INSERT INTO handler_runs (event_id, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
            VALUES ('evt_done', 0, 'builtin', 1, 1000, 1001, 1, NULL, 'ok');
            INSERT INTO handler_runs (event_id, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
            VALUES ('evt_failed', 0, 'builtin', 5, 1000, 1001, 0, 'boom', 'stderr text');
            """)
    }

    @Test func previousVersionStore_migrates_keepsEveryEvent_andMovesTheBodiesOut() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("events.sqlite")
        try Self.makePreviousVersionStore(at: path)

        let store = try SQLiteEventStore(path: path, logger: Logger(label: "test"))
        defer { store.close() }
        let raw = try RawSQLite(path)
        #expect(try raw.integer("PRAGMA user_version") == SQLiteSchema.currentVersion)
        #expect(try raw.integer("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'body'") == 0)
        #expect(try raw.integer("SELECT count(*) FROM event_bodies") == 6)
        // Its page size cannot change in WAL mode: it keeps SQLite's default.
        #expect(try raw.integer("PRAGMA page_size") == 4_096)

        let expected: [String: (EventStatus, Int, String?)] = [
            "evt_done": (.done, 1, nil), "evt_failed": (.failed, 5, "boom"), "evt_claimed": (.pending, 1, nil),
            "evt_behind": (.pending, 0, nil), "evt_retry": (.pending, 2, "timeout"), "evt_no_object": (.pending, 0, nil),
        ]
        for (id, (status, attempts, lastError)) in expected {
            let event = try #require(try store.event(id: id), "\(id) is still there")
            #expect(event.record.body == Self.body(id), "\(id)'s body is byte for byte the same")
            #expect(event.status == status && event.attempts == attempts && event.lastError == lastError, "\(id)")
        }
        #expect(try store.event(id: "evt_done")?.handlers.map(\.output) == ["ok"])
        #expect(try store.event(id: "evt_failed")?.handlers.map(\.error) == ["boom"])
        #expect(try store.list(status: nil, typePattern: nil, since: nil, limit: 100).map(\.record.body) == [
            "evt_no_object", "evt_retry", "evt_behind", "evt_claimed", "evt_failed", "evt_done",
        ].map(Self.body))
    }

    @Test func migratedStore_claimsInOrder_dedupes_andPrunesBodiesWithTheirEvents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("events.sqlite")
        try Self.makePreviousVersionStore(at: path)
        let store = try SQLiteEventStore(path: path, logger: Logger(label: "test"))
        defer { store.close() }

        // The lapsed claim and the event about no object are due; the retry is not yet, and evt_behind
        // waits behind evt_claimed (same PaymentIntent, created later).
        let first = try store.claimDue(now: 2_000, limit: 10)
        #expect(Set(first.map(\.event.id)) == ["evt_claimed", "evt_no_object"])
        for item in first {
            #expect(item.event.body == Self.body(item.event.id), "a claimed event carries its body")
        }
        #expect(try store.blockingEvent(of: "evt_behind", now: 2_000)?.record.id == "evt_claimed")
        try store.complete(eventID: "evt_claimed", now: 2_001)
        #expect(try store.claimDue(now: 2_002, limit: 10).map(\.event.id) == ["evt_behind"])
        #expect(try store.claimDue(now: 6_000, limit: 10).map(\.event.id) == ["evt_retry"])

        // A redelivery of a migrated event is a duplicate; a new one stores its body beside the others.
        #expect(try await store.insert(makeRecord("evt_done", body: Self.body("evt_done"))) == .duplicate)
        #expect(try await store.insert(makeRecord("evt_new", body: Self.body("evt_new"))) == .stored)
        #expect(try store.event(id: "evt_new")?.record.body == Self.body("evt_new"))

        // Pruning done and failed events deletes their bodies too.
        let raw = try RawSQLite(path)
        let pruned = try store.prune(olderThan: 10_000, includeFailed: true)
        #expect(pruned == 3)
        #expect(try raw.integer("SELECT count(*) FROM event_bodies") == 4)
        #expect(try raw.integer("SELECT count(*) FROM event_bodies WHERE seq NOT IN (SELECT seq FROM events)") == 0)
    }

    @Test func newStore_usesSmallPages() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        #expect(try RawSQLite(fixture.path).integer("PRAGMA page_size") == Int64(SQLiteEventStore.newDatabasePageSize))
        #expect(SQLiteEventStore.newDatabasePageSize == 2_048)
    }
}
