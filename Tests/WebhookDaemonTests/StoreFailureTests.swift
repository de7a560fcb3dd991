import EventStore
import Foundation
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// When the store cannot take an event, the answer is 503 with Retry-After, never 200, nothing
/// unstored is acknowledged, and the daemon serves again once the store recovers.
@Suite(.serialized)
struct StoreFailureTests {
    @Test func lockedDatabase_answers503AndRecoversWithoutRestart() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let path = daemon.directory.appendingPathComponent("events.sqlite").path
        // Another process holds the write lock (as a stuck backup or a second writer would) for 7 s;
        // the daemon's busy timeout is 5 s.
        let locker = try TestSupport.holdWriteLock(on: path, seconds: 7)

        let refusedID = SampleEvents.freshEventID()
        let refused = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: refusedID)!)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "5")
        #expect(refused.body == #"{"error":"store_unavailable"}"#)
        #expect(!daemon.lines(containing: "could not store event", refusedID).isEmpty)
        locker.waitUntilExit()

        // Nothing was acknowledged or stored for the refused event, and no handler ran for it.
        let reader = try SQLiteEventStore(path: path, logger: .init(label: "t", sink: LogCaptureSink.discard), options: .init(readOnly: true))
        defer { reader.close() }
        #expect(try reader.event(id: refusedID) == nil)
        #expect(daemon.lines(containing: "PaymentIntent was successful!", refusedID).isEmpty)

        // The lock is gone: Stripe's retry of the same event is stored and handled.
        let retried = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: refusedID)!)
        #expect(retried.status == 200)
        #expect(try reader.event(id: refusedID) != nil)
        #expect(TestSupport.eventually { !daemon.lines(containing: "PaymentIntent was successful!", refusedID).isEmpty })
    }

    /// The ways the database can be pulled from under a running daemon.
    enum Removal: String, CaseIterable, CustomStringConvertible {
        case fileRemovedWithWALAndSHM, directoryRemoved, fileRenamed, walRemoved
        var description: String { rawValue }
    }

    @Test(arguments: Removal.allCases)
    func storeRemovedUnderTheDaemon_answers503AndFailsReadiness_untilRestarted(_ removal: Removal) throws {
        let parent = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        let path = directory.appendingPathComponent("events.sqlite").path
        let daemon = try RunningDaemon(store: "sqlite:\(path)")
        defer { daemon.stop() }
        let before = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: before)!).status == 200)
        #expect(try OperationsTests.get("/readyz", port: daemon.port).status == 200)

        switch removal {
        case .fileRemovedWithWALAndSHM:
            for suffix in ["", "-wal", "-shm"] { try FileManager.default.removeItem(atPath: path + suffix) }
        case .directoryRemoved:
            try FileManager.default.removeItem(at: directory)
        case .fileRenamed:
            try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
        case .walRemoved:
            try FileManager.default.removeItem(atPath: path + "-wal")
        }

        // The readiness probe's own commit notices, before any delivery does.
        let ready = try OperationsTests.get("/readyz", port: daemon.port)
        #expect(ready.status == 503)
        #expect(ready.body.contains("store_replaced"), "\(ready.body)")
        // Every later delivery is refused: none is acknowledged into a file that is gone.
        for _ in 0..<3 {
            let refused = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!)
            #expect(refused.status == 503)
            #expect(refused.body == #"{"error":"store_unavailable"}"#)
        }
        #expect(try OperationsTests.get("/readyz", port: daemon.port).body.contains("store_replaced"), "until restarted")
        #expect(daemon.lines(containing: "the event database was removed or replaced while the daemon ran", "restart").count == 1, "one error line telling the operator to restart")
    }

    @Test func failingInserts_answer503AndFailReadiness_andBothRecover() throws {
        let daemon = try RunningDaemon { $0.readiness.storeCheckTimeoutSeconds = 5 }
        defer { daemon.stop() }
        #expect(try OperationsTests.get("/readyz", port: daemon.port).status == 200)
        // Another process makes every insert into events fail (as a full disk fails the inserts),
        // while other writes, such as rewriting the readiness row, would still commit.
        try Self.sqlite(daemon.databasePath, "CREATE TRIGGER refuse_inserts BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected: disk full'); END")
        let refused = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!)
        #expect(refused.status == 503)
        let ready = try OperationsTests.get("/readyz", port: daemon.port)
        #expect(ready.status == 503)
        #expect(ready.body.contains("store_unwritable") && ready.body.contains("injected: disk full"), "\(ready.body)")

        try Self.sqlite(daemon.databasePath, "DROP TRIGGER refuse_inserts")
        #expect(TestSupport.eventually(10) { (try? OperationsTests.get("/readyz", port: daemon.port).status) == 200 }, "ready again once inserts commit, before any delivery")
        #expect(try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!).status == 200)
    }

    @Test(.enabled(if: TestSupport.canMountTmpfs, "needs root to mount a small tmpfs"))
    func fullDisk_answers503AndFailsReadiness_andBothRecover() throws {
        let mountPoint = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        try TestSupport.mountTmpfs(at: mountPoint.path, bytes: 2 << 20)
        defer { _ = TestSupport.unmount(mountPoint.path) }
        let daemon = try RunningDaemon(store: "sqlite:\(mountPoint.appendingPathComponent("events.sqlite").path)") {
            $0.readiness.storeCheckTimeoutSeconds = 5
        }
        defer { daemon.stop() }
        #expect(try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!).status == 200)
        #expect(try OperationsTests.get("/readyz", port: daemon.port).status == 200)

        // Fill the filesystem to the last byte.
        let filler = mountPoint.appendingPathComponent("filler").path
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let chunk = [UInt8](repeating: 0, count: 4_096)
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) > 0 {}
        close(descriptor)

        var refusals = 0
        for _ in 0..<20 {
            let answer = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!)
            #expect(answer.status == 503 || answer.status == 200)
            if answer.status == 503 { refusals += 1 }
        }
        #expect(refusals > 0, "a full disk never refused a delivery")
        let ready = try OperationsTests.get("/readyz", port: daemon.port)
        #expect(ready.status == 503, "deliveries get 503 but /readyz said \(ready.body)")
        #expect(ready.body.contains("store_unwritable"))

        try FileManager.default.removeItem(atPath: filler)
        #expect(TestSupport.eventually(15) { (try? OperationsTests.get("/readyz", port: daemon.port).status) == 200 })
        #expect(try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!).status == 200)
    }

    /// Runs `sql` on `path` from another process (Python's sqlite3), waiting for locks.
    static func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [PythonInterpreter.command, "-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=10); db.execute(sys.argv[2]); db.commit()", path, sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestHTTPClient.ClientError(description: "sqlite3 \(sql) failed on \(path)") }
    }
}
