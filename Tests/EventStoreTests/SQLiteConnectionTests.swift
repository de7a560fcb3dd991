import CSQLite
@testable import EventStore
import Testing
import WebhookSupport

/// The SQLite glue's process-wide set-up and its cached transaction statements.
@Suite struct SQLiteConnectionTests {
    @Test func sqliteKeepsNoMemoryStatistics_whileTheStoreWrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: directory.file("events.sqlite"), logger: Logger(label: "t", level: .critical, sink: LogCapture().sink()))
        defer { store.close() }
        for index in 0 ..< 20 {
            #expect(try insertAndWait(makeRecord("evt_\(index)", object: "pi_\(index % 3)"), into: store).get() == .stored)
        }
        let claimed = try store.claimDue(now: 10_000, limit: 16)
        #expect(claimed.count == 3, "one event per object")
        // Switched off before SQLite initialized: no mutex-guarded byte count around each malloc
        // (`SQLITE_CONFIG_MEMSTATUS`), so SQLite's own tally never moves off zero.
        #expect(SQLiteConnection.memoryStatisticsConfiguration == SQLITE_OK)
        #expect(sqlite3_memory_used() == 0)
    }

    @Test func preparedTransactionStatements_commitAndRollBackLikeExecutedOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try SQLiteConnection(path: directory.file("t.sqlite"), readOnly: false, create: true)
        try connection.execute("CREATE TABLE t (v INTEGER)")
        for round in 0 ..< 3 {
            // The same cached statements run again each round.
            try connection.run(SQLiteConnection.beginImmediateSQL)
            #expect(connection.isInTransaction)
            try connection.run("INSERT INTO t (v) VALUES (?)", [.int(round)])
            try connection.run(SQLiteConnection.savepointSQL)
            try connection.run("INSERT INTO t (v) VALUES (?)", [.int(100 + round)])
            try connection.execute("ROLLBACK TO operation")
            try connection.run(SQLiteConnection.releaseSQL)
            try connection.run(SQLiteConnection.commitSQL)
            #expect(!connection.isInTransaction)
        }
        let values = try connection.query("SELECT v FROM t ORDER BY v", []) { $0.int(0) }
        #expect(values == [0, 1, 2], "the rolled-back savepoint's rows are gone, the rest committed")
    }
}
