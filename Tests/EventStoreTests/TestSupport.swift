import Dispatch
import EventStore
import Foundation
import Testing
import WebhookSupport

/// A fresh directory under the system temp dir; `remove()` deletes it and everything in it.
struct TemporaryDirectory: Sendable {
    /// Its absolute path.
    let path: String

    /// Creates the directory.
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("event-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// Deletes the directory.
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The store implementations the behavioural tests run against: one conformance suite, so that they
/// cannot drift apart. PostgreSQL joins when `STRIPE_WEBHOOKD_TEST_POSTGRES_URL` names a server
/// (`scripts/test.sh` always starts one); without it, the PostgreSQL cases are skipped, loudly.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, memory, postgres

    /// Every kind this run can test.
    static var allCases: [StoreKind] { PostgreSQLTestDatabase.serverURL == nil ? [.sqlite, .memory] : [.sqlite, .memory, .postgres] }

    var description: String { rawValue }
}

/// A store under test in its own temporary directory, restartable like a daemon.
final class StoreFixture: @unchecked Sendable {
    // @unchecked: a fixture belongs to one test; `store` changes only in `restart()`, between steps.
    let kind: StoreKind
    let directory: TemporaryDirectory
    let logs = LogCapture()
    private(set) var store: any EventStore
    private let options: SQLiteEventStore.Options
    /// The PostgreSQL fixture's own database, dropped at `tearDown()`.
    let database: PostgreSQLTestDatabase?

    /// Opens a store of `kind`; SQLite ones live in `events.sqlite` in a new temporary directory,
    /// PostgreSQL ones in a new database of the test server.
    init(_ kind: StoreKind, options: SQLiteEventStore.Options = .init()) throws {
        self.kind = kind
        self.options = options
        directory = try TemporaryDirectory()
        store = MemoryEventStore()
        database = kind == .postgres ? try PostgreSQLTestDatabase() : nil
        if kind == .sqlite { store = try SQLiteEventStore(path: directory.file("events.sqlite"), logger: logger, options: options) }
        if let database { store = try database.open(logger: logger) }
    }

    /// The database file of a SQLite fixture.
    var path: String { directory.file("events.sqlite") }

    /// A logger writing into `logs`.
    var logger: Logger { Logger(label: "test.store", level: .debug, sink: logs.sink()) }

    /// Simulates a daemon restart: SQLite closes and reopens the file as a new instance; memory keeps
    /// its contents (it cannot outlive the process) and, like a new daemon, releases old claims.
    /// PostgreSQL reopens as a new instance too; its start-up recovery releases nothing (other
    /// instances may be alive), so the dead instance's leases are made to lapse, as they would
    /// `claim_lease_seconds` later.
    func restart() throws {
        if kind == .sqlite {
            store.close()
            store = try SQLiteEventStore(path: path, logger: logger, options: options)
        }
        if let database {
            store.close()
            store = try database.open(logger: logger)
            try database.expireLeases()
        }
        store.releaseClaims()
    }

    /// Closes the store and deletes the directory (and the PostgreSQL database).
    func tearDown() {
        store.close()
        database?.drop()
        directory.remove()
    }
}

/// A record with test defaults; the body is a small JSON document naming the id.
func makeRecord(
    _ id: String, type: String = "invoice.paid", object: String? = "in_1", receivedAt: Int64 = 1_000,
    body: [UInt8]? = nil
) -> EventRecord {
    EventRecord(
        id: id, type: type, objectID: object, created: 1_700_000_000, livemode: false, account: nil,
        apiVersion: "2024-06-20", body: body ?? Array(#"{"id":"\#(id)","object":"event"}"#.utf8),
        receivedAt: receivedAt, verifiedBy: "primary"
    )
}

/// Runs `body(i)` for `0..<count` on GCD's worker threads (not the cooperative pool) and returns
/// when all calls have returned.
func concurrently(_ count: Int, _ body: @Sendable (Int) -> Void) {
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// Inserts each record concurrently from many threads and waits for every completion.
func insertConcurrently(_ records: [EventRecord], into store: any EventStore) -> [Result<InsertOutcome, EventStoreError>] {
    let results = LockedValue([Result<InsertOutcome, EventStoreError>?](repeating: nil, count: records.count))
    let group = DispatchGroup()
    for _ in records { group.enter() }
    concurrently(records.count) { index in
        store.insert(records[index]) { result in
            results.withLock { $0[index] = result }
            group.leave()
        }
    }
    group.wait()
    return results.withLock { $0.compactMap { $0 } }
}

/// Inserts one record and waits for its outcome, blocking the calling thread.
func insertAndWait(_ record: EventRecord, into store: any EventStore) -> Result<InsertOutcome, EventStoreError> {
    insertConcurrently([record], into: store)[0]
}

/// A seeded random generator (SplitMix64), so that jitter tests are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Where `settle` leaves an event.
enum Settlement {
    case done, failed, claimed
    /// Pending again after a failed attempt, due at the given time.
    case waiting(until: Int64)
}

extension EventStore {
    /// Inserts `record`, claims it (it must be the oldest claimable event) and leaves it settled.
    func settle(_ record: EventRecord, as settlement: Settlement, now: Int64 = 10_000) async throws {
        #expect(try await insert(record) == .stored)
        let items = try claimDue(now: now, limit: 1)
        #expect(items.map(\.event.id) == [record.id], "settle expects \(record.id) to be the next claimable event")
        switch settlement {
        case .done: try complete(eventID: record.id, now: now)
        case .failed: try markFailed(eventID: record.id, error: "gave up", now: now)
        case .claimed: break
        case .waiting(let until): try retryLater(eventID: record.id, at: until, error: "try later", now: now)
        }
    }

    /// Ids of the events claimed now.
    func claimIDs(now: Int64, limit: Int = 100) throws -> [String] {
        try claimDue(now: now, limit: limit).map(\.event.id)
    }
}
