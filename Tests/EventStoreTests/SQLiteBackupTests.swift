import EventStore
import Foundation
import Testing
import WebhookSupport

/// `SQLiteBackup.copy`: a consistent, self-contained copy taken while the store is open and
/// writing; never over an existing file unless asked; and the WAL checkpointed at a clean close.
@Suite struct SQLiteBackupTests {
    @Test func copyWhileWriting_holdsEveryCommittedEvent_andOpensAsAStore() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(ownerLock: true))
        defer { fixture.tearDown() }
        for index in 0..<50 { #expect(try await fixture.store.insert(makeRecord("evt_\(index)", object: "in_\(index)")) == .stored) }
        // Keep writing during the copy.
        let store = fixture.store
        let writing = Task.detached {
            for index in 50..<150 { _ = insertAndWait(makeRecord("evt_\(index)", object: "in_\(index)"), into: store) }
        }
        let copy = fixture.directory.file("backup.sqlite")
        let report = try SQLiteBackup.copy(from: fixture.path, to: copy, overwrite: false)
        await writing.value
        #expect(report.events >= 50 && report.events <= 150)
        #expect(report.bytes > 0)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"), "the copy is one file")
        let attributes = try FileManager.default.attributesOfItem(atPath: copy)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let opened = try SQLiteEventStore(path: copy, logger: fixture.logger, options: .readOnly)
        defer { opened.close() }
        let listed = try opened.list(status: nil, typePattern: nil, since: nil, limit: 1_000)
        #expect(Int64(listed.count) == report.events)
        for index in 0..<50 { #expect(try opened.event(id: "evt_\(index)") != nil) }
    }

    @Test func existingDestination_isRefused_unlessOverwriting() async throws {
        let fixture = try StoreFixture(.sqlite)
        defer { fixture.tearDown() }
        #expect(try await fixture.store.insert(makeRecord("evt_1")) == .stored)
        let copy = fixture.directory.file("backup.sqlite")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: copy))
        let refusal = #expect(throws: EventStoreError.self) { try SQLiteBackup.copy(from: fixture.path, to: copy, overwrite: false) }
        #expect(refusal?.message.contains("--force") == true)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "precious")
        #expect(try SQLiteBackup.copy(from: fixture.path, to: copy, overwrite: true).events == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }

    @Test func cleanClose_checkpointsTheWAL_soTheDatabaseFileAloneHoldsEveryEvent() async throws {
        let fixture = try StoreFixture(.sqlite, options: .init(ownerLock: true))
        defer { fixture.tearDown() }
        for index in 0..<20 { #expect(try await fixture.store.insert(makeRecord("evt_\(index)", object: "in_\(index)")) == .stored) }
        // A reader connection stays open across the close, as an `events list` would.
        let reader = try SQLiteEventStore(path: fixture.path, logger: fixture.logger, options: .readOnly)
        fixture.store.close()
        reader.close()
        let alone = fixture.directory.file("alone")
        try FileManager.default.createDirectory(atPath: alone, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: fixture.path, toPath: alone + "/events.sqlite")
        let copy = try RawSQLite(alone + "/events.sqlite")
        #expect(try copy.integer("SELECT COUNT(*) FROM events") == 20)
    }
}
