import Dispatch
@testable import EventStore
import Foundation
import Testing
import WebhookSupport

/// What only the SQLite store promises: durability, group commit, failure and recovery of the write
/// path, sharing the file with other processes, schema versions and leases.
@Suite struct SQLiteEventStoreTests {
    private static let busy: Int32 = 5
    private static let full: Int32 = 13

    // MARK: Durability and group commit

    @Test func committedEvent_survivesCloseAndReopen_byteForByte() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let body = (0...255).map { UInt8($0) } + Array(#"{"id":"evt_durable"}"#.utf8)
        let record = EventRecord(
            id: "evt_durable", type: "customer.subscription.updated", objectID: "sub_1", created: 1_700_000_001,
            livemode: true, account: "acct_1", apiVersion: "2024-06-20", body: body, receivedAt: 1_700_000_001_999,
            verifiedBy: "rotated-2024"
        )
        #expect(try await fixture.store.insert(record) == .stored)
        fixture.store.close()

        let reopened = try SQLiteEventStore(path: fixture.path, logger: fixture.logger)
        defer { reopened.close() }
        let stored = try #require(try reopened.event(id: "evt_durable"))
        #expect(stored.record == record)
        #expect(stored.record.body == body)
        #expect(try await reopened.insert(record) == .duplicate)
    }

    @Test func checkWritable_commitsAWriteThatReachesTheDiskAndFailsWhenTheStoreCannotWrite() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        try fixture.store.checkWritable()
        try fixture.store.checkWritable()
        // Another connection sees the commits (an empty transaction or an unchanged row writes nothing).
        #expect(try RawSQLite(fixture.path).integer("SELECT checks FROM store_checks") == 2)
        #expect(fixture.store.statistics.operations == 2)
        let readOnly = try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: .readOnly)
        #expect(throws: EventStoreError.self) { try readOnly.checkWritable() }
        readOnly.close()
        fixture.store.close()
        #expect(throws: EventStoreError.self) { try fixture.store.checkWritable() }
    }

    @Test func thousandConcurrentInserts_allCommit_inFarFewerTransactions() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let records = (0..<1_000).map { makeRecord("evt_\($0)", object: "obj_\($0 % 37)", receivedAt: Int64($0)) }

        let results = insertConcurrently(records, into: fixture.store)

        #expect(try results.map { try $0.get() } == Array(repeating: .stored, count: 1_000))
        let statistics = fixture.store.statistics
        #expect(statistics.storedEvents == 1_000)
        #expect(statistics.failedBatches == 0)
        #expect(statistics.committedBatches < 1_000, "group commit: \(statistics.committedBatches) transactions for 1,000 inserts")
        #expect(statistics.largestBatch > 1)
        #expect(try fixture.store.pendingCount() == 1_000)
        try fixture.restart()
        #expect(try fixture.store.pendingCount() == 1_000)
    }

    @Test func duplicatesWithinOneBatch_storeOneRow() throws {
        let fixture = try StoreFixture(.sqlite, options: .init(busyTimeout: .seconds(10)))
        defer { fixture.tearDown() }
        // Hold the write lock so that the writer stalls on its first batch while the copies queue up
        // behind it; they then commit together in the second batch.
        let other = try RawSQLite(fixture.path)
        try other.execute("BEGIN EXCLUSIVE")
        let group = DispatchGroup()
        group.enter()
        fixture.store.insert(makeRecord("evt_first", object: "x")) { _ in group.leave() }
        Thread.sleep(forTimeInterval: 0.2)
        let copies = LockedValue<[InsertOutcome]>([])
        for _ in 0..<10 {
            group.enter()
            fixture.store.insert(makeRecord("evt_same", object: "y")) { result in
                if case .success(let outcome) = result { copies.withLock { $0.append(outcome) } }
                group.leave()
            }
        }
        try other.execute("COMMIT")
        group.wait()

        let outcomes = copies.withLock { $0 }
        #expect(outcomes.filter { $0 == .stored }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 9)
        #expect(fixture.store.statistics.committedBatches <= 2)
        #expect(try fixture.store.pendingCount() == 2)
    }

    @Test func close_commitsEverythingQueuedBeforeItReturns() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let outcomes = LockedValue<[Result<InsertOutcome, EventStoreError>]>([])
        concurrently(200) { index in
            fixture.store.insert(makeRecord("evt_\(index)", object: nil)) { result in outcomes.withLock { $0.append(result) } }
        }
        fixture.store.close()

        let results = outcomes.withLock { $0 }
        #expect(results.count == 200)
        #expect(try results.allSatisfy { try $0.get() == .stored })
        let reopened = try SQLiteEventStore(path: fixture.path, logger: fixture.logger)
        defer { reopened.close() }
        #expect(try reopened.pendingCount() == 200)
    }

    @Test func blockingCallFromAnInsertCompletion_doesNotDeadlock() throws {
        // Completions run on their own queue after the commit, never on the writer thread, so even a
        // blocking call from one (which the protocol advises against) is served by the next batch.
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let store = fixture.store
        let claimed = LockedValue<Result<[String], EventStoreError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        store.insert(makeRecord("evt_reentrant")) { _ in
            claimed.withLock { $0 = Result { () throws(EventStoreError) in try store.claimDue(now: 10_000, limit: 1).map(\.event.id) } }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(try claimed.withLock { $0 }?.get() == ["evt_reentrant"])
    }

    @Test func insertCompletions_runInCommitOrder_andCloseWaitsForThem() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = fixture.store
        let order = LockedValue<[Int]>([])
        for index in 0..<500 {
            store.insert(makeRecord("evt_order_\(index)", object: "obj_\(index)")) { result in
                if case .success(.stored) = result { order.withLock { $0.append(index) } }
            }
        }
        fixture.tearDown()
        // Every completion ran before close returned, in the order the inserts were queued.
        #expect(order.withLock { $0 } == Array(0..<500))
    }

    // MARK: When the store cannot write

    @Test func lockedDatabase_failsTheWholeBatch_thenRecoversWithoutRestart() throws {
        let fixture = try StoreFixture(.sqlite, options: .init(busyTimeout: .milliseconds(100)))
        defer { fixture.tearDown() }
        let other = try RawSQLite(fixture.path)
        try other.execute("BEGIN EXCLUSIVE")

        let refused = insertConcurrently((0..<20).map { makeRecord("evt_locked_\($0)") }, into: fixture.store)

        for result in refused {
            guard case .failure(let error) = result else {
                Issue.record("an insert succeeded while another connection held the write lock")
                continue
            }
            #expect(error.kind == .unavailable)
            #expect(error.isRetryable)
            #expect((error.sqliteCode ?? 0) & 0xFF == Self.busy)
            #expect(error.description.contains("locked"))
            #expect(!error.description.contains("\"object\""), "no payload in error messages")
        }
        #expect(fixture.store.statistics.failedBatches >= 1)
        #expect(fixture.logs.text.contains("cannot write"))

        try other.execute("COMMIT")
        #expect(try insertAndWait(makeRecord("evt_after"), into: fixture.store).get() == .stored)
        #expect(try insertAndWait(makeRecord("evt_locked_0"), into: fixture.store).get() == .stored, "refused events were not half-stored")
        #expect(fixture.logs.text.contains("writes again"))
    }

    @Test func fullDatabase_failsInserts_untilPruningMakesRoom() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(maxDatabaseBytes: 48 * 4_096))
        defer { fixture.tearDown() }
        let store = fixture.store
        let big = [UInt8](repeating: 0x41, count: 3_000)
        for index in 0..<8 {
            try await store.settle(makeRecord("evt_old_\(index)", object: "old_\(index)", receivedAt: 1, body: big), as: .done)
        }
        var refusal: EventStoreError?
        for index in 0..<200 {
            let result = insertAndWait(makeRecord("evt_fill_\(index)", object: nil, receivedAt: 5_000, body: big), into: store)
            if case .failure(let error) = result {
                refusal = error
                break
            }
        }
        let error = try #require(refusal, "the size cap was never reached")
        #expect(error.kind == .unavailable)
        #expect((error.sqliteCode ?? 0) & 0xFF == Self.full)
        #expect(error.description.contains("full"))

        #expect(try store.prune(olderThan: 2, includeFailed: false) == 8)
        #expect(try await store.insert(makeRecord("evt_after_prune", object: nil, body: big)) == .stored)
    }

    // MARK: Sharing the file with operator commands

    @Test func readOnlyStore_readsWhileTheDaemonWrites_andRefusesWrites() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_1"))
        let reader = try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: .readOnly)
        defer { reader.close() }

        #expect(try reader.list(status: nil, typePattern: nil, since: nil, limit: 10).map(\.record.id) == ["evt_1"])
        _ = try await fixture.store.insert(makeRecord("evt_2", object: "other"))
        #expect(try reader.event(id: "evt_2") != nil)

        // A writer holding the lock does not stop readers (WAL).
        let other = try RawSQLite(fixture.path)
        try other.execute("BEGIN EXCLUSIVE")
        #expect(try reader.summary().pending == 2)
        try other.execute("ROLLBACK")

        let insert = insertAndWait(makeRecord("evt_3"), into: reader)
        if case .failure(let error) = insert { #expect(error.kind == .readOnly) } else { Issue.record("read-only store stored an event") }
        let claim = #expect(throws: EventStoreError.self) { try reader.claimDue(now: 1, limit: 1) }
        #expect(claim?.kind == .readOnly)
        let requeue = #expect(throws: EventStoreError.self) { try reader.requeue(ids: ["evt_1"], force: true, now: 1) }
        #expect(requeue?.kind == .readOnly)
        #expect(reader.releaseClaims() == 0)
        #expect(try fixture.store.claimIDs(now: 1) == ["evt_1", "evt_2"], "the daemon's store still works")
    }

    @Test func readOnlyStore_readsAfterTheDaemonStopped() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_kept"))
        fixture.store.close()
        // The last connection to close checkpoints and removes the -wal and -shm files.
        #expect(!FileManager.default.fileExists(atPath: fixture.path + "-wal"))

        let reader = try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: .readOnly)
        defer { reader.close() }
        #expect(try reader.event(id: "evt_kept")?.record == makeRecord("evt_kept"))
    }

    @Test func readOnlyOpen_ofAMissingFile_isAClearError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: EventStoreError.self) {
            try SQLiteEventStore(path: directory.file("nope.sqlite"), logger: Logger(label: "test"), options: .readOnly)
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("nope.sqlite") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.file("nope.sqlite")))
    }

    @Test func operatorProcess_requeuesAFailedEvent_andTheDaemonPicksItUp() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        try await fixture.store.settle(makeRecord("evt_dead"), as: .failed)
        let operatorStore = try SQLiteEventStore(path: fixture.path, logger: fixture.logger)
        defer { operatorStore.close() }

        #expect(try operatorStore.requeue(ids: ["evt_dead"], force: false, now: 20_000) == ["evt_dead": .requeued])

        #expect(try fixture.store.claimIDs(now: 20_000) == ["evt_dead"])
    }

    // MARK: Files and schema

    @Test func newDatabase_isPrivate_inWALMode_atTheCurrentSchemaVersion() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let raw = try RawSQLite(fixture.path)
        #expect(try raw.text("PRAGMA journal_mode") == "wal")
        #expect(try raw.integer("PRAGMA user_version") == SQLiteSchema.currentVersion)
        #expect(try raw.integer("PRAGMA application_id") == 0x5357_4844)
        #expect(try raw.integer("SELECT max(version) FROM schema_migrations") == SQLiteSchema.currentVersion)
    }

    @Test func databaseFromANewerBuild_isRefusedWithAClearError() throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        fixture.store.close()
        let newer = SQLiteSchema.currentVersion + 2
        try RawSQLite(fixture.path).execute("PRAGMA user_version = \(newer)")

        for options in [SQLiteEventStore.Options(), .readOnly] {
            let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: options) }
            #expect(error?.kind == .schema)
            #expect(error?.message.contains("version \(newer)") == true)
            #expect(error?.message.contains("newer") == true)
        }
        #expect(try RawSQLite(fixture.path).integer("PRAGMA user_version") == newer, "the newer database is left untouched")
    }

    @Test func someoneElsesDatabase_isRefused_andLeftUntouched() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.sqlite")
        try RawSQLite(path).execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")

        let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path, logger: Logger(label: "test")) }
        #expect(error?.kind == .schema)
        #expect(error?.message.contains("not a stripe-webhookd event database") == true)
        #expect(try RawSQLite(path).integer("SELECT count(*) FROM sqlite_schema WHERE name = 'events'") == 0)
    }

    @Test func readOnlyOpen_ofAnUnmigratedFile_saysToMigrateFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))

        let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path, logger: Logger(label: "test"), options: .readOnly) }
        #expect(error?.kind == .schema)
        #expect(error?.message.contains("needs migrating") == true)
    }

    @Test func missingDirectory_isAnErrorNamingIt_andNothingIsCreated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("typo/events.sqlite")

        let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path, logger: Logger(label: "test")) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains(directory.file("typo")) == true)
        #expect(!FileManager.default.fileExists(atPath: directory.file("typo")))
    }

    // MARK: Claims shared between store instances

    @Test func anotherInstancesClaim_holdsUntilItsLeaseExpires() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(leaseDuration: .seconds(60), owner: "daemon-a"))
        defer { fixture.tearDown() }
        let other = try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: .init(leaseDuration: .seconds(60), owner: "daemon-b"))
        defer { other.close() }
        _ = try await fixture.store.insert(makeRecord("evt_leased", object: "sub_1", receivedAt: 1))
        _ = try await fixture.store.insert(makeRecord("evt_next", object: "sub_1", receivedAt: 2))
        #expect(try fixture.store.claimIDs(now: 1_000) == ["evt_leased"])
        #expect(try fixture.store.event(id: "evt_leased")?.claimExpiresAt == 61_000)

        // A recorded run renews the lease.
        let run = HandlerRun(handler: "h", attempt: 1, startedAt: 30_000, finishedAt: 40_000, succeeded: false, error: "slow", output: nil)
        try fixture.store.recordHandlerRun(eventID: "evt_leased", run: run)
        #expect(try other.claimIDs(now: 61_000) == [], "renewed to 100,000")
        #expect(try fixture.store.claimIDs(now: 200_000) == [], "an instance never takes back an event its worker still runs")

        let taken = try other.claimDue(now: 100_000, limit: 10)
        #expect(taken.map(\.event.id) == ["evt_leased"])
        #expect(taken.first?.attempt == 2)
        let lost = #expect(throws: EventStoreError.self) { try fixture.store.complete(eventID: "evt_leased", now: 100_001) }
        #expect(lost?.kind == .notClaimed)
        #expect(lost?.message.contains("daemon-b") == true)
    }

    @Test func eventWhoseOutcomeCouldNotBeRecorded_comesBackWhenItsLeaseLapses() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(busyTimeout: .milliseconds(50), leaseDuration: .seconds(60)))
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_unreported"))
        #expect(try fixture.store.claimIDs(now: 1_000) == ["evt_unreported"])
        let other = try RawSQLite(fixture.path)
        try other.execute("BEGIN EXCLUSIVE")
        let failed = #expect(throws: EventStoreError.self) { try fixture.store.complete(eventID: "evt_unreported", now: 2_000) }
        #expect(failed?.kind == .unavailable)
        try other.execute("ROLLBACK")

        #expect(try fixture.store.claimIDs(now: 60_999) == [], "the lease still runs")
        let again = try fixture.store.claimDue(now: 61_000, limit: 1)
        #expect(again.map(\.event.id) == ["evt_unreported"])
        #expect(again.first?.attempt == 2)
        try fixture.store.complete(eventID: "evt_unreported", now: 61_001)
        #expect(try fixture.store.event(id: "evt_unreported")?.status == .done)
    }

    @Test func refusedReport_keepsTheEventFromThisInstancesClaims_untilItIsReportedAgain() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(busyTimeout: .milliseconds(50), leaseDuration: .seconds(1)))
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_refused"))
        #expect(try fixture.store.claimIDs(now: 1_000) == ["evt_refused"])
        let run = HandlerRun(handler: "fulfil", attempt: 1, startedAt: 1_100, finishedAt: 1_200, succeeded: true, error: nil, output: nil)
        let outcome = EventOutcome(eventID: "evt_refused", runs: [run], ending: .done, now: 1_200)
        let other = try RawSQLite(fixture.path)
        try other.execute("BEGIN EXCLUSIVE")
        let refused = fixture.store.report([outcome])
        #expect(refused.first??.kind == .unavailable)
        try other.execute("ROLLBACK")

        // Long past the lease, this instance does not take it back: its handler ran, the outcome waits.
        #expect(try fixture.store.claimIDs(now: 100_000) == [])
        #expect(fixture.store.reportAndClaim([], now: 100_000, limit: 10).claimed.map { $0.isEmpty } == .success(true))
        #expect(fixture.store.report([outcome]) == [nil])
        let done = try #require(try fixture.store.event(id: "evt_refused"))
        #expect(done.status == .done && done.handlers.count == 1)
    }

    @Test func databaseFailureInsideAReport_recordsNoneOfIt_andTheRetryRecordsEachRunOnce() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_first", object: "a"))
        _ = try await fixture.store.insert(makeRecord("evt_second", object: "b"))
        #expect(try fixture.store.claimIDs(now: 1_000) == ["evt_first", "evt_second"])
        // Another process's trigger fails the second outcome's run inside the database, after the
        // first outcome was written: as a full disk or an I/O error would.
        let other = try RawSQLite(fixture.path)
        try other.execute("""
            CREATE TRIGGER refuse_notify BEFORE INSERT ON handler_runs WHEN NEW.handler = 'notify'
            BEGIN SELECT RAISE(ABORT, 'no room for this run'); END
            """)
        func run(_ handler: String) -> HandlerRun {
            HandlerRun(handler: handler, attempt: 1, startedAt: 1_100, finishedAt: 1_200, succeeded: true, error: nil, output: nil)
        }
        let outcomes = [
            EventOutcome(eventID: "evt_first", runs: [run("fulfil")], ending: .done, now: 1_200),
            EventOutcome(eventID: "evt_second", runs: [run("notify")], ending: .done, now: 1_200),
        ]
        let refused = fixture.store.report(outcomes)
        #expect(refused.count == 2 && refused.allSatisfy { $0?.isRetryable == true })
        // Nothing of the report stayed: no run that the retry would record a second time.
        for id in ["evt_first", "evt_second"] {
            let event = try #require(try fixture.store.event(id: id))
            #expect(event.status == .pending && event.isClaimed && event.handlers.isEmpty, "\(id)")
        }

        try other.execute("DROP TRIGGER refuse_notify")
        #expect(fixture.store.report(outcomes) == [nil, nil])
        for id in ["evt_first", "evt_second"] {
            let event = try #require(try fixture.store.event(id: id))
            #expect(event.status == .done && !event.isClaimed && event.handlers.count == 1, "\(id)")
        }
    }

    @Test func claimOfMoreEventsThanOneClaimStatementTakes_claimsEachOnce_inArrivalOrder() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        let count = SQLiteConnection.claimUpdateWidth * 2 + 8
        for index in 0 ..< count {
            _ = try await fixture.store.insert(makeRecord("evt_\(index)", object: "obj_\(index)", receivedAt: Int64(1_000 + index)))
        }
        let limit = SQLiteConnection.claimUpdateWidth * 2 + 5
        let items = try fixture.store.claimDue(now: 10_000, limit: limit)
        #expect(items.map(\.event.id) == (0 ..< limit).map { "evt_\($0)" })
        #expect(items.allSatisfy { $0.attempt == 1 })
        for index in 0 ..< count {
            let event = try #require(try fixture.store.event(id: "evt_\(index)"))
            let claimed = index < limit
            #expect(event.isClaimed == claimed && event.attempts == (claimed ? 1 : 0) && event.claimExpiresAt == (claimed ? 610_000 : nil), "evt_\(index)")
        }
        #expect(try fixture.store.summary().claimed == limit)
        // The rest, in the next claim.
        #expect(try fixture.store.claimDue(now: 10_001, limit: limit).map(\.event.id) == (limit ..< count).map { "evt_\($0)" })
    }

    @Test func writerCheckpoints_soTheWALStaysBounded_andTheDatabaseFileHoldsTheEvents() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(checkpointPages: 20))
        defer { fixture.tearDown() }
        func size(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }
        let opened = try size(fixture.path)
        let body = Array(repeating: UInt8(ascii: "x"), count: 4_000)
        for index in 0 ..< 200 {
            // One at a time: 200 commits of about 4 pages each, 800 WAL frames without a checkpoint.
            #expect(try await fixture.store.insert(makeRecord("evt_\(index)", object: "obj_\(index % 7)", body: body)) == .stored)
        }
        // A write in the next batch: the writer checkpointed after the last insert's batch.
        try fixture.store.checkWritable()
        #expect(try size(fixture.path) >= opened + 200 * 4_000, "the checkpoints copied the events into the database file")
        #expect(try size(fixture.path + "-wal") < 400_000, "the WAL started over after each checkpoint")
    }

    @Test func releaseClaims_returnsOtherInstancesClaims_only() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(owner: "old-daemon"))
        defer { fixture.tearDown() }
        _ = try await fixture.store.insert(makeRecord("evt_a", object: "a"))
        _ = try await fixture.store.insert(makeRecord("evt_b", object: "b"))
        #expect(try fixture.store.claimIDs(now: 1, limit: 1) == ["evt_a"])
        let restarted = try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: .init(owner: "new-daemon"))
        defer { restarted.close() }
        #expect(try restarted.claimIDs(now: 2) == ["evt_b"])

        #expect(restarted.releaseClaims() == 1)

        #expect(try restarted.event(id: "evt_a")?.isClaimed == false)
        #expect(try restarted.event(id: "evt_b")?.claimedBy == "new-daemon")
        #expect(fixture.logs.text.contains("returned to the queue"))
    }
}
