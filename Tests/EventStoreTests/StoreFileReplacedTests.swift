import EventStore
import Foundation
import Testing
import WebhookSupport

/// The database file removed, its directory removed, or the file renamed or replaced under an open
/// store: SQLite would keep committing into the unlinked file; the store must refuse every write
/// from then on (no insert reported stored), say why in `health`, and log it once.
@Suite struct StoreFileReplacedTests {
    /// The ways an operator (or a cleanup script) can pull the file from under the daemon.
    enum Removal: String, CaseIterable, CustomStringConvertible {
        case fileRemovedWithWALAndSHM, directoryRemoved, fileRenamed, fileReplacedByACopy, walRemoved
        var description: String { rawValue }
    }

    @Test(arguments: Removal.allCases)
    func writesFail_afterTheDatabaseFileIsGone(_ removal: Removal) async throws {
        let parent = try TemporaryDirectory()
        defer { parent.remove() }
        let directory = parent.file("store")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let path = directory + "/events.sqlite"
        let logs = LogCapture()
        let store = try SQLiteEventStore(path: path, logger: Logger(label: "t", level: .debug, sink: logs.sink()), options: .init(ownerLock: true))
        defer { store.close() }
        #expect(try await store.insert(makeRecord("evt_before")) == .stored)
        #expect(store.health == EventStoreHealth())

        switch removal {
        case .fileRemovedWithWALAndSHM:
            for suffix in ["", "-wal", "-shm"] { try FileManager.default.removeItem(atPath: path + suffix) }
        case .directoryRemoved:
            try FileManager.default.removeItem(atPath: directory)
        case .fileRenamed:
            try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        case .fileReplacedByACopy:
            try FileManager.default.copyItem(atPath: path, toPath: path + ".copy")
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: path + ".copy", toPath: path)
        case .walRemoved:
            try FileManager.default.removeItem(atPath: path + "-wal")
        }

        for index in 0..<3 {
            let result = insertAndWait(makeRecord("evt_after_\(index)", object: "in_\(index)"), into: store)
            guard case .failure(let error) = result else {
                Issue.record("an insert into a \(removal) store was reported stored")
                continue
            }
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("the event database was removed or replaced"))
        }
        #expect(throws: EventStoreError.self) { try store.checkWritable() }
        #expect(throws: EventStoreError.self) { try store.claimDue(now: 10_000, limit: 10) }
        let replaced = try #require(store.health.replaced)
        #expect(replaced.contains(path))
        #expect(logs.lines.filter { $0.contains("the event database was removed or replaced while the daemon ran") && $0.contains("restart") }.count == 1, "logged once, with what to do")
    }

    @Test func untouchedFile_keepsWriting_andAnOperatorCommandBesideItIsNoReplacement() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        #expect(try await fixture.store.insert(makeRecord("evt_1")) == .stored)
        // Another connection (an `events replay`) writes and checkpoints: same file, same inode.
        let other = try RawSQLite(fixture.path)
        try other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        #expect(try await fixture.store.insert(makeRecord("evt_2", object: "in_2")) == .stored)
        #expect(fixture.store.health.replaced == nil)
    }
}
