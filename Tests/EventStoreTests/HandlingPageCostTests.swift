import CSQLite
@testable import EventStore
import Testing
import WebhookSupport

/// Handling an event must not write a page at a random place in an index that grows with the store's
/// history: every page a commit changes is written to the WAL, and again at the checkpoint. Handler runs
/// keyed by the event's random Stripe id (before migration 12) and the index of every done event by
/// object (before migration 13) each changed one such page per handled event (issue 17). The cost is
/// counted in WAL frames (pages written by the commit), which no machine's load changes.
@Suite struct HandlingPageCostTests {
    /// A migrated store database opened directly, in WAL mode with the store's page size, holding a
    /// history of handled events about a few objects.
    private final class History {
        let directory: TemporaryDirectory
        let connection: SQLiteConnection
        let owner = "cost-test"

        /// Events already handled, each with one recorded run.
        static let handledEvents = 4_000
        /// Objects the events are about.
        static let objects = 100

        init() throws {
            directory = try TemporaryDirectory()
            connection = try SQLiteConnection(path: directory.file("events.sqlite"), readOnly: false, create: true)
            try connection.execute("PRAGMA page_size = \(SQLiteEventStore.newDatabasePageSize)")
            #expect(try connection.pragmaText("journal_mode = WAL").lowercased() == "wal")
            try SQLiteSchema.migrate(connection, now: 0, logger: Logger(label: "t", level: .critical, sink: LogCapture().sink()))
            // The history, in one transaction: ids scattered over the id order as Stripe's random ids are
            // (a multiplicative hash of the number), each event done through the same UPDATE a
            // completion runs, so that every trigger keeps its table.
            try connection.execute("""
                BEGIN;
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(Self.handledEvents))
                INSERT INTO events (id, type, object_id, created, livemode, received_at, updated_at)
                    SELECT printf('evt_%08x', (i * 2654435761) % 4294967296), 'payment_intent.succeeded',
                        printf('pi_%08x', ((i % \(Self.objects)) * 2246822519) % 4294967296), 1000 + i, 0, i, i
                    FROM n;
                INSERT INTO event_bodies (seq, body) SELECT seq, x'7b7d' FROM events;
                INSERT INTO handler_runs (event_seq, replay, handler, attempt, started_at, finished_at, succeeded)
                    SELECT seq, 0, 'builtin', 1, received_at, received_at, 1 FROM events;
                UPDATE events SET status = 'done';
                COMMIT;
                """)
        }

        deinit { directory.remove() }

        /// Inserts `count` new events about as many of the history's objects, claims them, then returns
        /// the pages (WAL frames) of the one transaction that reports them all done with one run each, as
        /// the writer's group commit does.
        func framesToHandle(_ count: Int) throws -> Int64 {
            try connection.execute("BEGIN")
            for index in 0..<count {
                let number = Self.handledEvents + 1 + index
                var record = makeRecord(
                    "evt_\(String((UInt64(number) * 2_654_435_761) % 4_294_967_296, radix: 16))",
                    type: "payment_intent.succeeded",
                    object: "pi_" + String(format: "%08x", (UInt64(number % Self.objects) * 2_246_822_519) % 4_294_967_296),
                    receivedAt: Int64(number))
                record.created = Int64(10_000 + index)
                #expect(try connection.insertEvent(record))
            }
            let items = try connection.claimDue(now: 20_000, limit: count, owner: owner, expiresAt: 30_000, skipping: [])
            try connection.execute("COMMIT")
            #expect(items.count == count, "every new event is claimable: each is about its own object")
            #expect(items.allSatisfy { !$0.isStale }, "each new event was created after its object's history")
            _ = try connection.queryFirst("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(0) }

            try connection.execute("BEGIN")
            for item in items {
                let run = HandlerRun(handler: "builtin", attempt: 1, startedAt: 20_000, finishedAt: 20_001, succeeded: true, error: nil, output: nil)
                #expect(try connection.reportOutcome(EventOutcome(eventID: item.event.id, runs: [run], ending: .done, now: 20_001), owner: owner) == nil)
            }
            try connection.execute("COMMIT")
            return try connection.queryFirst("PRAGMA wal_checkpoint(PASSIVE)") { $0.int64(1) } ?? -1
        }
    }

    @Test func handlingEventsWritesPagesAtTheTailsNotOnePerEventAtRandom() throws {
        let history = try History()
        let count = 40
        let frames = try history.framesToHandle(count)
        // Measured: 17 pages for 40 events (the events rows and their pending, claimed and per-object
        // indexes, the candidates, hourly counts, runs at their tails, a few of object_progress's pages).
        // Before migrations 12 and 13 the same commit wrote 101 (the same SQL replayed at version 10):
        // a random leaf of handler_runs_event and of events_done_object per event, among about 100 each.
        #expect(frames > 0 && frames <= 30, "reporting \(count) events done wrote \(frames) pages")
        let runs = try history.connection.queryFirst("SELECT count(*) FROM handler_runs") { $0.int(0) }
        #expect(runs == History.handledEvents + count, "every run was recorded")
    }
}
