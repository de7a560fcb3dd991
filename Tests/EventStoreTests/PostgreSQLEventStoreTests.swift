import Dispatch
import Foundation
@testable import EventStore
import Testing
import WebhookSupport

/// What only a store shared by several daemons must do: the same promises across instances, leases,
/// prompt hand-over, migrations and outages. Each test has a database of its own on the test server.
@Suite(.disabled(if: PostgreSQLTestDatabase.serverURL == nil, PostgreSQLTestDatabase.skipReason))
struct PostgreSQLEventStoreTests {
    /// A logger that drops everything.
    static let quiet = Logger(label: "test.postgres", level: .critical)

    /// Now in Unix ms.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func sameEventAtTwoInstancesAtOnce_isStoredOnce_andBothHearItIsStored() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let first = try database.open(logger: Self.quiet)
        let second = try database.open(logger: Self.quiet)
        defer { first.close(); second.close() }
        let records = (0..<200).map { makeRecord("evt_twice_\($0)", object: "cus_\($0 % 7)") }
        let results = LockedValue<[Result<InsertOutcome, EventStoreError>]>([])
        let group = DispatchGroup()
        for record in records {
            for store in [first, second] {
                group.enter()
                store.insert(record) { result in
                    results.withLock { $0.append(result) }
                    group.leave()
                }
            }
        }
        group.wait()
        let outcomes = try results.withLock { $0 }.map { try $0.get() }
        #expect(outcomes.count == 400)
        #expect(outcomes.filter { $0 == .stored }.count == 200)
        #expect(try database.values("SELECT count(*) FROM events") == ["200"])
        #expect(try database.values("SELECT count(*) FROM event_states") == ["200"])
    }

    @Test func manyWorkersOfThreeInstances_neverHoldTwoClaimsAboutOneObject_andHandleEachEventOnce() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let stores = try (0..<3).map { _ in try database.open(logger: Self.quiet) }
        defer { stores.forEach { $0.close() } }
        let records = (0..<300).map { index in
            EventRecord(
                id: "evt_obj_\(index)", type: "invoice.paid", objectID: "in_\(index % 5)", created: 1_700_000_000 + Int64(index),
                livemode: false, account: nil, apiVersion: nil, body: Array("{}".utf8), receivedAt: Int64(index), verifiedBy: nil)
        }
        for result in insertConcurrently(records, into: stores[0]) { _ = try result.get() }
        let holding = LockedValue<[String: String]>([:])  // object → event being handled
        let handled = LockedValue<[String]>([])
        let overlaps = LockedValue(0)
        concurrently(12) { worker in
            let store = stores[worker % 3]
            var idle = 0
            while idle < 20 {
                let items = (try? store.claimDue(now: Self.now(), limit: 3)) ?? []
                if items.isEmpty {
                    idle += 1
                    Thread.sleep(forTimeInterval: 0.01)
                    continue
                }
                idle = 0
                for item in items {
                    let object = item.event.objectID ?? ""
                    holding.withLock { held in
                        if held[object] != nil { overlaps.withLock { $0 += 1 } }
                        held[object] = item.event.id
                    }
                    Thread.sleep(forTimeInterval: 0.001)
                    holding.withLock { $0[object] = nil }
                    handled.withLock { $0.append(item.event.id) }
                    try? store.complete(eventID: item.event.id, now: Self.now())
                }
            }
        }
        #expect(overlaps.withLock { $0 } == 0)
        let ids = handled.withLock { $0 }
        #expect(ids.count == 300)
        #expect(Set(ids).count == 300)
        // Per object, in Stripe's created order.
        for object in 0..<5 {
            let order = ids.filter { Int($0.dropFirst("evt_obj_".count))! % 5 == object }
            #expect(order == order.sorted { Int($0.dropFirst(8))! < Int($1.dropFirst(8))! })
        }
        #expect(try stores[1].summary().counts[.done] == 300)
    }

    @Test func startUpRecovery_neverTakesALiveInstancesClaims_butALapsedLeaseIsTakenOver() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let live = try database.open(logger: Self.quiet, options: .init(leaseDuration: .seconds(30)))
        defer { live.close() }
        #expect(try insertAndWait(makeRecord("evt_live", object: "cus_a"), into: live).get() == .stored)
        #expect(try insertAndWait(makeRecord("evt_dead", object: "cus_b"), into: live).get() == .stored)
        let now = Self.now()
        #expect(try live.claimIDs(now: now, limit: 1) == ["evt_live"])

        let starting = try database.open(logger: Self.quiet)
        defer { starting.close() }
        #expect(starting.releaseClaims() == 0)
        #expect(try starting.event(id: "evt_live")?.claimedBy == live.owner)
        #expect(try starting.claimIDs(now: now + 1_000) == ["evt_dead"])
        // The live instance's lease lapses only if it stops renewing: 30 s on.
        #expect(try starting.claimIDs(now: now + 31_000) == ["evt_live"])
        let item = try #require(try starting.event(id: "evt_live"))
        #expect(item.claimedBy == starting.owner)
        #expect(item.attempts == 2)
        // The old holder's late report is refused: the event is not its any more.
        #expect(throws: EventStoreError.self) { try live.complete(eventID: "evt_live", now: now + 32_000) }
    }

    @Test func claimsAreRenewedWhileHandlersRun_soNoOtherInstanceTakesThemOver() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let holder = try database.open(logger: Self.quiet, options: .init(leaseDuration: .milliseconds(900)))
        let other = try database.open(logger: Self.quiet, options: .init(leaseDuration: .milliseconds(900)))
        defer { holder.close(); other.close() }
        #expect(try insertAndWait(makeRecord("evt_long"), into: holder).get() == .stored)
        #expect(try holder.claimIDs(now: Self.now()) == ["evt_long"])
        // Three leases long: without renewal the other instance would take it.
        let until = Date().addingTimeInterval(2.7)
        while Date() < until {
            #expect(try other.claimIDs(now: Self.now()) == [])
            Thread.sleep(forTimeInterval: 0.1)
        }
        try holder.complete(eventID: "evt_long", now: Self.now())
        #expect(try other.event(id: "evt_long")?.status == .done)
    }

    @Test func anInstanceThatStops_loses_itsClaimsToAnotherWithinTheLease() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let dying = try database.open(logger: Self.quiet, options: .init(leaseDuration: .seconds(1)))
        let survivor = try database.open(logger: Self.quiet, options: .init(leaseDuration: .seconds(1)))
        defer { survivor.close() }
        #expect(try insertAndWait(makeRecord("evt_orphan"), into: dying).get() == .stored)
        #expect(try dying.claimIDs(now: Self.now()) == ["evt_orphan"])
        dying.close()  // no more renewals, as after a SIGKILL
        var taken: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while taken.isEmpty, Date() < deadline {
            taken = try survivor.claimIDs(now: Self.now())
            if taken.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(taken == ["evt_orphan"])
    }

    @Test func anEventStoredByOneInstance_wakesIdleWorkersOfAnother() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let receiver = try database.open(logger: Self.quiet)
        let worker = try database.open(logger: Self.quiet)
        defer { receiver.close(); worker.close() }
        let woken = DispatchSemaphore(value: 0)
        // The first wake-up comes when the listener starts listening; wait for it, then for the insert's.
        worker.onEventsStored { woken.signal() }
        _ = woken.wait(timeout: .now() + 10)
        while woken.wait(timeout: .now() + 0.3) == .success {}
        #expect(try insertAndWait(makeRecord("evt_notify"), into: receiver).get() == .stored)
        #expect(woken.wait(timeout: .now() + 10) == .success)
    }

    @Test func instancesStartingTogether_migrateOnce() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let opened = LockedValue<[Result<PostgreSQLEventStore, EventStoreError>]>([])
        concurrently(4) { _ in
            let result = Result { () throws(EventStoreError) in try PostgreSQLEventStore(url: database.url, logger: Self.quiet) }
            opened.withLock { $0.append(result) }
        }
        let stores = try opened.withLock { $0 }.map { try $0.get() }
        stores.forEach { $0.close() }
        #expect(try database.values("SELECT count(*) FROM webhookd_schema_migrations") == [String(PostgreSQLSchema.currentVersion)])
    }

    @Test func aSchemaNewerThanThisBuild_isRefused() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        try database.open(logger: Self.quiet).close()
        try database.execute("INSERT INTO webhookd_schema_migrations (version, migrated_at) VALUES (\(PostgreSQLSchema.currentVersion + 1), 0)")
        let error = #expect(throws: EventStoreError.self) { try database.open(logger: Self.quiet) }
        #expect(error?.kind == .schema)
        #expect(error?.message.contains("newer than this build") == true)
        let reader = #expect(throws: EventStoreError.self) { try database.open(logger: Self.quiet, options: .init(readOnly: true)) }
        #expect(reader?.kind == .schema)
    }

    @Test func lostConnections_failWritesWithUnavailable_thenTheStoreReconnectsByItself() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let logs = LogCapture()
        let store = try database.open(logger: Logger(label: "test", level: .debug, sink: logs.sink()), options: .init(reconnectDelay: .milliseconds(50)))
        defer { store.close() }
        #expect(try insertAndWait(makeRecord("evt_before"), into: store).get() == .stored)
        // Every connection of the store is cut, as a server restart or a network failure would.
        try database.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        let during = insertAndWait(makeRecord("evt_during"), into: store)
        if case .failure(let error) = during {
            #expect(error.kind == .unavailable)
            #expect(store.health.insertFailure != nil)
        }
        var after: Result<InsertOutcome, EventStoreError> = .failure(EventStoreError(.unavailable, "not yet"))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            after = insertAndWait(makeRecord("evt_after"), into: store)
            if case .success = after { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try after.get() == .stored)
        #expect(store.health.insertFailure == nil)
        try store.checkWritable()
        #expect(try store.event(id: "evt_after") != nil)
    }

    @Test func anUnreachableServer_isUnavailable_andNoErrorShowsThePassword() throws {
        let url = "postgres://webhookd:hunter2secret@127.0.0.1:1/webhookd?connect_timeout=2"
        let error = #expect(throws: EventStoreError.self) { try PostgreSQLEventStore(url: url, logger: Self.quiet) }
        #expect(error?.kind == .unavailable)
        #expect(error?.description.contains("hunter2secret") == false)
        #expect(error?.description.contains("127.0.0.1") == true)
        let server = try #require(PostgreSQLTestDatabase.serverURL)
        let wrong = server.replacingOccurrences(of: "://webhookd:", with: "://webhookd:wrongpassword")
        let refused = #expect(throws: EventStoreError.self) { try PostgreSQLEventStore(url: wrong, logger: Self.quiet) }
        #expect(refused?.description.contains("wrongpassword") == false)
        #expect(refused?.description.contains("password authentication failed") == true)
    }

    @Test func dedupeKeysClaimedAtTwoInstancesAtOnce_haveOneHolder() throws {
        let database = try PostgreSQLTestDatabase()
        defer { database.drop() }
        let stores = try (0..<2).map { _ in try database.open(logger: Self.quiet) }
        defer { stores.forEach { $0.close() } }
        let records = (0..<20).map { makeRecord("evt_key_\($0)", object: nil) }
        for result in insertConcurrently(records, into: stores[0]) { _ = try result.get() }
        let holders = LockedValue<Set<String>>([])
        concurrently(20) { index in
            if let holder = try? stores[index % 2].claimHandlerKey(handler: "crm", key: "order_1", eventID: "evt_key_\(index)", now: 1) {
                holders.withLock { _ = $0.insert(holder) }
            }
        }
        #expect(holders.withLock { $0 }.count == 1)
    }
}
