@testable import EventStore
import Foundation
import Testing
import WebhookSupport

/// The migrations that key handler runs by the event's seq (12) and keep each object's latest handled
/// event in `object_progress` instead of an index of every done event (13). A store written at the
/// version before them, with runs in several replays and done events tied in `created`, migrates on
/// open and answers as before.
@Suite struct HandlingBookkeepingMigrationTests {
    /// The version of the handler runs migration (found by its summary: migrations are renumbered when
    /// branches merge).
    static let runsVersion = SQLiteSchema.migrations.first { $0.summary == "handler runs keyed by the event's seq" }?.version ?? 0

    /// Creates a database at the schema version before the handler runs migration: events about three
    /// objects in every status, with runs recorded the way that version's store recorded them.
    static func makePreviousVersionStore(at path: String) throws {
        #expect(runsVersion > 10)
        let raw = try RawSQLite(path)
        try raw.execute("PRAGMA journal_mode = WAL")
        var previous: Int64 = 0
        for migration in SQLiteSchema.migrations where migration.version < runsVersion {
            try raw.execute(migration.sql)
            try raw.execute("INSERT INTO schema_migrations (version, summary, applied_at) VALUES (\(migration.version), 'test', 0)")
            previous = migration.version
        }
        try raw.execute("PRAGMA user_version = \(previous); PRAGMA application_id = \(SQLiteSchema.applicationID)")
        // id, object, created, status, replay
        let rows: [(String, String, Int, String, Int)] = [
            ("evt_a", "pi_1", 100, "done", 1),
            ("evt_b", "pi_1", 300, "done", 0),
            // Ties with evt_b in created and arrived after it: the one the old index named.
            ("evt_c", "pi_1", 300, "done", 0),
            ("evt_d", "pi_2", 50, "failed", 0),
            ("evt_g", "pi_2", 40, "done", 0),
            // Created before evt_c, pending: stale once claimed.
            ("evt_e", "pi_1", 200, "pending", 0),
            ("evt_f", "pi_3", 10, "pending", 0),
        ]
        for (offset, (id, object, created, status, replay)) in rows.enumerated() {
            try raw.execute("""
                INSERT INTO events (id, type, object_id, created, livemode, api_version, received_at, verified_by, status, attempts, updated_at, replay)
                VALUES ('\(id)', 'payment_intent.succeeded', '\(object)', \(created), 0, '2024-06-20', \(1_000 + offset), 'primary',
                    '\(status)', 1, 1000, \(replay));
                INSERT INTO event_bodies (seq, body) VALUES (last_insert_rowid(), CAST('{"id":"\(id)"}' AS BLOB));
                """)
        }
        // event id, replay, attempt, succeeded, error, output
        let runs: [(String, Int, Int, Int, String, String)] = [
            ("evt_a", 0, 1, 0, "'boom'", "NULL"),
            ("evt_a", 0, 2, 1, "NULL", "'first'"),
            ("evt_b", 0, 1, 1, "NULL", "'b'"),
            ("evt_a", 1, 1, 1, "NULL", "'replayed'"),
            ("evt_c", 0, 1, 1, "NULL", "'c'"),
            ("evt_d", 0, 1, 0, "'gave up'", "NULL"),
            ("evt_g", 0, 1, 1, "NULL", "'g'"),
        ]
        for (id, replay, attempt, succeeded, error, output) in runs {
            try raw.execute("""
                INSERT INTO handler_runs (event_id, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
                VALUES ('\(id)', \(replay), 'crm', \(attempt), 1000, 1001, \(succeeded), \(error), \(output))
                """)
        }
    }

    @Test func previousVersionStore_migrates_runsStayWithTheirEvents_inOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("events.sqlite")
        try Self.makePreviousVersionStore(at: path)

        let store = try SQLiteEventStore(path: path, logger: Logger(label: "test"))
        defer { store.close() }
        let raw = try RawSQLite(path)
        #expect(try raw.integer("PRAGMA user_version") == SQLiteSchema.currentVersion)
        #expect(try raw.integer("SELECT count(*) FROM pragma_table_info('handler_runs') WHERE name = 'event_id'") == 0)
        #expect(try raw.integer("SELECT count(*) FROM sqlite_schema WHERE name IN ('handler_runs_event', 'events_done_object')") == 0)
        #expect(try raw.integer("SELECT count(*) FROM handler_runs") == 7)

        let a = try #require(try store.event(id: "evt_a"))
        #expect(a.handlers.map(\.output) == [nil, "first", "replayed"])
        #expect(a.handlers.map(\.replay) == [0, 0, 1] && a.handlers.map(\.attempt) == [1, 2, 1])
        #expect(a.handlers.first?.error == "boom")
        #expect(try store.event(id: "evt_d")?.handlers.map(\.error) == ["gave up"])
        #expect(try store.list(status: .done, typePattern: nil, since: nil, limit: 10).map { $0.handlers.compactMap(\.output) } == [
            ["g"], ["c"], ["b"], ["first", "replayed"],
        ])
        // Dedupe of handlers within a replay reads the runs by seq.
        #expect(try store.succeededHandlers(eventID: "evt_a") == ["crm"])
        #expect(try store.handlerFailureRates(since: 0) == [HandlerFailureRate(handler: "crm", runs: 7, failures: 2)])
    }

    @Test func previousVersionStore_migrates_staleLookupsAnswerAsTheDroppedIndexDid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("events.sqlite")
        try Self.makePreviousVersionStore(at: path)
        let store = try SQLiteEventStore(path: path, logger: Logger(label: "test"))
        defer { store.close() }
        let raw = try RawSQLite(path)
        // Per object its latest-created done event, ties to the later arrival; pi_3 has none done.
        #expect(try raw.text("SELECT group_concat(pair, ' ') FROM (SELECT p.object_id || '=' || e.id AS pair FROM object_progress AS p JOIN events AS e ON e.seq = p.seq ORDER BY p.object_id)")
            == "pi_1=evt_c pi_2=evt_g")

        let items = Dictionary(uniqueKeysWithValues: try store.claimDue(now: 2_000, limit: 10).map { ($0.event.id, $0) })
        #expect(Set(items.keys) == ["evt_e", "evt_f"])
        #expect(items["evt_e"]?.newerHandledEventID == "evt_c")
        #expect(items["evt_f"]?.isStale == false)
        // A run recorded after the migration lands on its event, and in the hourly failure rates.
        try store.recordHandlerRun(eventID: "evt_e", run: HandlerRun(handler: "crm", attempt: 1, startedAt: 2_000, finishedAt: 2_001, succeeded: true, error: nil, output: "stale"))
        try store.complete(eventID: "evt_e", now: 2_001)
        try store.complete(eventID: "evt_f", now: 2_001)
        #expect(try store.event(id: "evt_e")?.handlers.map(\.output) == ["stale"])
        #expect(try store.handlerFailureRates(since: 0) == [HandlerFailureRate(handler: "crm", runs: 8, failures: 2)])
        #expect(try raw.text("SELECT group_concat(pair, ' ') FROM (SELECT p.object_id || '=' || e.id AS pair FROM object_progress AS p JOIN events AS e ON e.seq = p.seq ORDER BY p.object_id)")
            == "pi_1=evt_c pi_2=evt_g pi_3=evt_f")

        // Pruning every event deletes every run and leaves no progress about the objects.
        #expect(try store.prune(olderThan: 10_000, includeFailed: true) == 7)
        #expect(try raw.integer("SELECT count(*) FROM handler_runs") == 0)
        #expect(try raw.integer("SELECT count(*) FROM object_progress") == 0)
    }
}
