import Foundation
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// `events backup` while the daemon runs and takes events, and the database file alone after a
/// clean stop: both hold every acknowledged event and open as stores.
@Suite(.serialized)
struct EventsBackupCommandTests {
    @Test func backupWhileTheDaemonTakesEvents_holdsThem_andRefusesToOverwrite() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = "sqlite:\(directory.appendingPathComponent("events.sqlite").path)"
        let secret = "whsec_backup_test"
        let daemon = try DaemonProcess(["--store", store], environment: ["STRIPE_WEBHOOK_SECRET": secret, "PATH": "/usr/bin:/bin"])
        defer { daemon.stop() }
        var acknowledged: [String] = []
        for _ in 0..<20 {
            let id = SampleEvents.freshEventID()
            if try StoreOwnershipTests.post(SampleEvents.payload(for: "customer.created", eventID: id)!, port: daemon.port, secret: secret).status == 200 {
                acknowledged.append(id)
            }
        }
        #expect(acknowledged.count == 20)
        // Deliveries keep coming while the copy is taken.
        let stop = LockedFlag()
        let posting = Thread {
            while !stop.isSet {
                _ = try? StoreOwnershipTests.post(SampleEvents.payload(for: "customer.created", eventID: SampleEvents.freshEventID())!, port: daemon.port, secret: secret)
            }
        }
        posting.start()
        let copy = directory.appendingPathComponent("copy.sqlite").path
        let backup = try CommandLineTests.run(["events", "backup", "--to", copy, "--store", store])
        stop.set()
        #expect(backup.status == 0, "\(backup.err)")
        let counted = try #require(backup.out.firstMatch(of: /backed up (\d+) events \((\d+) bytes/), "\(backup.out)")
        #expect((Int(counted.1) ?? 0) >= 20)
        #expect((Int(counted.2) ?? 0) > 0)

        let listed = try CommandLineTests.run(["events", "list", "--json", "--limit", "100000", "--store", "sqlite:\(copy)"])
        #expect(listed.status == 0, "\(listed.err)")
        #expect(listed.out.split(separator: "\n").count == Int(counted.1) ?? -1)
        for id in acknowledged { #expect(listed.out.contains(id)) }

        let again = try CommandLineTests.run(["events", "backup", "--to", copy, "--store", store])
        #expect(again.status == 3 && again.err.contains("--force"))
        let forced = try CommandLineTests.run(["events", "backup", "--to", copy, "--force", "--store", store])
        #expect(forced.status == 0)
        #expect(try CommandLineTests.run(["events", "backup", "--store", store]).status == 2, "--to is required")
    }

    @Test func afterACleanStop_theDatabaseFileAloneHoldsEveryAcknowledgedEvent() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        let secret = "whsec_backup_test"
        let daemon = try DaemonProcess(["--store", "sqlite:\(path)"], environment: ["STRIPE_WEBHOOK_SECRET": secret, "PATH": "/usr/bin:/bin"])
        var acknowledged: [String] = []
        for _ in 0..<25 {
            let id = SampleEvents.freshEventID()
            if try StoreOwnershipTests.post(SampleEvents.payload(for: "customer.created", eventID: id)!, port: daemon.port, secret: secret).status == 200 {
                acknowledged.append(id)
            }
        }
        #expect(acknowledged.count == 25)
        daemon.stop()  // SIGTERM
        #expect(daemon.process.terminationStatus == 0)

        // Copy the .sqlite file only, as a naive backup would.
        let alone = directory.appendingPathComponent("alone")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: path, toPath: alone.appendingPathComponent("events.sqlite").path)
        let listed = try CommandLineTests.run(["events", "list", "--json", "--limit", "1000", "--store", "sqlite:\(alone.appendingPathComponent("events.sqlite").path)"])
        #expect(listed.status == 0, "\(listed.err)")
        for id in acknowledged { #expect(listed.out.contains(id), "\(id) is only in the -wal file") }
    }
}

/// A flag one thread sets and another polls.
final class LockedFlag: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = false

    /// Whether `set()` ran.
    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag.
    func set() { lock.withLock { value = true } }
}
