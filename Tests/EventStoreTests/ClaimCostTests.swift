import CSQLite
@testable import EventStore
import Testing
import WebhookSupport

/// The work SQLite does per insert and per claim must not grow with the backlog about one object.
/// Stripe creates several events about one object in the same second, and the claim order per object
/// is (created, arrival): compared as a row value, SQLite read every pending event of that second
/// again on every insert and claim (issue 17's one-object regression, 895 req/s against 10.5k). The
/// cost is counted in SQLite's own virtual-machine steps, which no machine's load changes.
@Suite struct ClaimCostTests {
    /// A migrated store database opened directly, with its events about one object, all created in
    /// the same second.
    private final class Backlog {
        let directory: TemporaryDirectory
        let connection: SQLiteConnection
        private(set) var count = 0

        init() throws {
            directory = try TemporaryDirectory()
            connection = try SQLiteConnection(path: directory.file("events.sqlite"), readOnly: false, create: true)
            try SQLiteSchema.migrate(connection, now: 0, logger: Logger(label: "t", level: .critical, sink: LogCapture().sink()))
        }

        deinit { directory.remove() }

        /// Inserts the next event about `pi_1` and returns the virtual-machine steps the insert took
        /// (its triggers included).
        func insertNext() throws -> Int32 {
            count += 1
            var record = makeRecord("evt_\(count)", type: "payment_intent.succeeded", object: "pi_1", receivedAt: Int64(count))
            record.created = 1_700_000_000
            #expect(try connection.insertEvent(record))
            return Self.steps(of: try connection.statement(SQLiteConnection.insertEventSQL))
        }

        /// The steps of one "is anything claimable?" query, which walks the claim candidates under the
        /// claim condition as `claimDue` does, without claiming.
        func dueQuerySteps(now: Int64) throws -> Int32 {
            #expect(try connection.hasDueEvents(now: now), "the head of the backlog is claimable")
            return Self.steps(of: try connection.statement(SQLiteConnection.hasDueEventsSQL))
        }

        /// Reads and resets a statement's step counter.
        static func steps(of statement: SQLiteStatement) -> Int32 {
            sqlite3_stmt_status(statement.handle, SQLITE_STMTSTATUS_VM_STEP, 1)
        }
    }

    @Test func insertCostDoesNotGrowWithTheBacklogOfOneObject() throws {
        let backlog = try Backlog()
        var early: Int32 = 0
        for index in 1...1_500 {
            let steps = try backlog.insertNext()
            if index == 50 { early = steps }
            if index == 1_500 {
                // Row values read all 1,499 earlier events here (tens of thousands of steps).
                #expect(steps < early * 2, "insert 1,500 took \(steps) steps, insert 50 took \(early)")
            }
        }
    }

    @Test func claimStopsJudgingCandidatesAtItsLimit_howeverManyEventsTheWorkerStillRuns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try SQLiteConnection(path: directory.file("events.sqlite"), readOnly: false, create: true)
        try SQLiteSchema.migrate(connection, now: 0, logger: Logger(label: "t", level: .critical, sink: LogCapture().sink()))
        // 60 claimable events, each about an object of its own.
        for index in 1...60 {
            #expect(try connection.insertEvent(makeRecord("evt_\(index)", object: "pi_\(index)", receivedAt: Int64(index))))
        }
        func claimSteps(limit: Int, running: Set<String>) throws -> (ids: [String], steps: Int32) {
            try connection.run(SQLiteConnection.beginImmediateSQL)
            let items = try connection.claimDue(now: 100, limit: limit, owner: "o", expiresAt: 60_000, skipping: running)
            try connection.execute("ROLLBACK")
            let steps = sqlite3_stmt_status(try connection.statement(SQLiteConnection.claimDueSQL).handle, SQLITE_STMTSTATUS_VM_STEP, 1)
            return (items.map(\.event.id), steps)
        }
        let alone = try claimSteps(limit: 2, running: [])
        // 48 ids still running elsewhere (none of them claimable here) widen the query's LIMIT by 48;
        // the claim still takes the first two and judges no candidate after them.
        let crowded = try claimSteps(limit: 2, running: Set((100..<148).map { "evt_running_\($0)" }))
        #expect(alone.ids == ["evt_1", "evt_2"])
        #expect(crowded.ids == ["evt_1", "evt_2"])
        #expect(crowded.steps <= alone.steps + alone.steps / 10, "with 48 running: \(crowded.steps) steps, alone: \(alone.steps)")
    }

    @Test func claimCostDoesNotGrowWithTheBacklogOfOneObject() throws {
        let backlog = try Backlog()
        for _ in 1...50 { _ = try backlog.insertNext() }
        let early = try backlog.dueQuerySteps(now: 100)
        for _ in 51...1_500 { _ = try backlog.insertNext() }
        let late = try backlog.dueQuerySteps(now: 100)
        #expect(late < early * 2, "the claim condition over 1,500 events took \(late) steps, over 50 \(early)")
        // The condition still holds the later events back: one claim takes the head only.
        let claimed = try backlog.connection.claimDue(now: 100, limit: 10, owner: "o", expiresAt: 60_000, skipping: [])
        #expect(claimed.map(\.event.id) == ["evt_1"])
    }
}
