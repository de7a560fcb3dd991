import EventStore
import Foundation
import Testing
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// One owner per SQLite store: a second store opened with the owner lock refuses, naming the store
/// and the owner's PID; stores opened without it (operator commands) still read and write.
@Suite struct StoreOwnerLockTests {
    @Test func secondOwner_isRefused_namingTheStoreAndThePID() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("events.sqlite")
        let logger = Logger(label: "t", level: .critical, sink: LogCapture().sink())
        let first = try SQLiteEventStore(path: path, logger: logger, options: .init(ownerLock: true))
        #expect(try String(contentsOfFile: path + ".lock", encoding: .utf8) == "\(getpid())\n")

        let refusal = #expect(throws: EventStoreError.self) {
            try SQLiteEventStore(path: path, logger: logger, options: .init(ownerLock: true))
        }
        #expect(refusal?.kind == .unavailable)
        #expect(refusal?.message.contains(path) == true)
        #expect(refusal?.message.contains("PID \(getpid())") == true)

        // An operator command's store (no owner lock) works beside the owner, writing too.
        #expect(try await first.insert(makeRecord("evt_owned")) == .stored)
        let command = try SQLiteEventStore(path: path, logger: logger)
        #expect(try command.requeue(ids: ["evt_owned"], force: false, now: 2_000)["evt_owned"] == .requeued)
        command.close()
        let reader = try SQLiteEventStore(path: path, logger: logger, options: .readOnly)
        #expect(try reader.event(id: "evt_owned") != nil)
        reader.close()

        // Once the owner closes, the next one opens and finds the event.
        first.close()
        let second = try SQLiteEventStore(path: path, logger: logger, options: .init(ownerLock: true))
        defer { second.close() }
        #expect(try second.event(id: "evt_owned") != nil)
    }

    @Test func ownerKilled_doesNotBlockTheNextOwner() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("events.sqlite")
        // Another process holds the lock as the daemon does (flock on <db>.lock) and is then SIGKILLed.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import fcntl, os, sys, time
            fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.ftruncate(fd, 0); os.write(fd, b"%d\\n" % os.getpid())
            print("locked", flush=True)
            time.sleep(60)
            """, path + ".lock"]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        #expect(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).contains("locked"))
        let logger = Logger(label: "t", level: .critical, sink: LogCapture().sink())
        let refusal = #expect(throws: EventStoreError.self) {
            try SQLiteEventStore(path: path, logger: logger, options: .init(ownerLock: true))
        }
        #expect(refusal?.message.contains("PID \(holder.processIdentifier)") == true)

        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let next = try SQLiteEventStore(path: path, logger: logger, options: .init(ownerLock: true))
        next.close()
    }
}
