import EventStore
import Foundation
import StripeWebhooks
import WebhookDaemon
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// Paths and helpers shared by the daemon's tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled samples' directory (the same files `trigger` embeds).
    static let samplesDirectory = packageRoot.appendingPathComponent("Sources/WebhookDaemon/Samples")

    /// One sample's exact bytes.
    static func sample(_ type: String) throws -> [UInt8] {
        Array(try Data(contentsOf: samplesDirectory.appendingPathComponent("\(type).json")))
    }

    /// Every sample type, from the files on disk.
    static func sampleTypes() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samplesDirectory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("webhookd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A `Stripe-Signature` value for `body`, timestamped now.
    static func sign(_ body: [UInt8], secret: String, at timestamp: Int64 = Int64(Date().timeIntervalSince1970)) -> String {
        SignatureHeader.generate(payload: body, secret: WebhookSecret(secret), timestamp: timestamp)
    }

    /// Waits until `condition` holds, up to `seconds`; returns whether it did.
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// The built `stripe-webhookd` binary, next to the test bundle.
    static var binary: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent("stripe-webhookd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/stripe-webhookd")
    }
}

/// A daemon running in this process on an ephemeral port, with its log captured.
final class RunningDaemon: @unchecked Sendable {
    // @unchecked: every stored property is a constant; LogCapture and WebhookApplication are thread-safe.
    let application: WebhookApplication
    let port: Int
    let log = LogCapture()
    let secret = "whsec_test_\(UUID().uuidString.prefix(8))"
    let directory: URL

    init(store: String? = nil, environment: [String: String] = [:], configure: (inout DaemonConfiguration) -> Void = { _ in }) throws {
        directory = try TestSupport.temporaryDirectory()
        var configuration = DaemonConfiguration()
        configuration.port = 0
        configuration.secrets = [SecretReference(parsing: secret, label: "test")]
        configuration.store = store ?? "sqlite:\(directory.appendingPathComponent("events.sqlite").path)"
        configuration.eventLoops = 2
        configuration.workers = 2
        configuration.shutdownGraceSeconds = 2
        configure(&configuration)
        let logger = Logger(label: "webhookd", level: .debug, sink: log.sink())
        application = try WebhookApplication(configuration: configuration, environment: environment, logger: logger)
        port = try application.start()
    }

    /// Posts one signed event on a new connection and returns the response.
    func post(_ body: [UInt8], signature: String? = nil, path: String = "/webhook") throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        try client.send(TestHTTPClient.webhookRequest(path: path, body: body, signature: signature ?? TestSupport.sign(body, secret: secret)))
        guard let response = try client.readResponse() else { throw TestHTTPClient.ClientError(description: "no response") }
        return response
    }

    /// The daemon's SQLite database file.
    var databasePath: String {
        let store = application.configuration.store
        return store.hasPrefix("sqlite:") ? String(store.dropFirst(7)) : ""
    }

    /// A stored event as `events show` would read it (a read-only connection beside the daemon's).
    func storedEvent(_ id: String) -> StoredEvent? {
        guard let store = try? SQLiteEventStore(path: databasePath, logger: Logger(label: "t", level: .critical, sink: LogCaptureSink.discard), options: .readOnly) else { return nil }
        defer { store.close() }
        return (try? store.event(id: id)) ?? nil
    }

    /// Waits until the event is `status`; returns it then (or as it is after `seconds`).
    @discardableResult
    func waitForEvent(_ id: String, status: EventStatus, seconds: Double = 10) -> StoredEvent? {
        _ = TestSupport.eventually(seconds) { storedEvent(id)?.status == status }
        return storedEvent(id)
    }

    /// Log lines that contain every one of `fragments`.
    func lines(containing fragments: String...) -> [String] {
        log.lines.filter { line in fragments.allSatisfy { line.contains($0) } }
    }

    func stop() {
        application.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension TestSupport {
    /// Starts another process that holds the SQLite write lock on `path` for `seconds` (as a stuck
    /// backup or a second writer would) and returns once it holds it; wait for the process to end
    /// for the lock to be released.
    static func holdWriteLock(on path: String, seconds: Int) throws -> Process {
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = [PythonInterpreter.command, "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
            db.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(int(sys.argv[2]))
            db.execute("ROLLBACK")
            """, path, String(seconds)]
        let out = Pipe()
        locker.standardOutput = out
        try locker.run()
        guard String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).contains("locked") else {
            throw TestHTTPClient.ClientError(description: "the locking process did not take the lock on \(path)")
        }
        return locker
    }

    /// Writes an executable `/bin/sh` script named `name` into `directory` and returns its path.
    @discardableResult
    static func script(_ name: String, in directory: URL, _ body: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(("#!/bin/sh\n" + body + "\n").utf8).write(to: url)
        guard chmod(url.path, 0o755) == 0 else { throw TestHTTPClient.ClientError(description: "chmod \(url.path) failed") }
        return url.path
    }

    /// A minimal snapshot event of `type` about `object` (`data.object` gets `extra` members too).
    static func event(_ type: String, id: String = SampleEvents.freshEventID(), object: [String: String]) -> [UInt8] {
        let members = object.keys.sorted().map { "\"\($0)\": \(object[$0] == "null" ? "null" : "\"\(object[$0] ?? "")\"")" }.joined(separator: ", ")
        return Array("""
            {"id": "\(id)", "object": "event", "type": "\(type)", "created": 1700000000, "livemode": false,
             "api_version": "2024-06-20", "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
             "data": {"object": {\(members)}}}
            """.utf8)
    }

    /// The event id of a body made by `event(_:id:object:)` or `SampleEvents.payload`.
    static func eventID(of body: [UInt8]) -> String {
        String(String(decoding: body, as: UTF8.self).firstMatch(of: /"id": "(evt_\w+)"/)?.1 ?? "")
    }
}

/// The `stripe-webhookd` binary running as a child process on an ephemeral port, its log captured.
final class DaemonProcess: @unchecked Sendable {
    // @unchecked: constants only; Process and LogAccumulator are thread-safe for what is used here.
    let process = Process()
    let log: LogAccumulator
    let port: Int

    /// Starts the binary with `arguments` (plus `--port 0 --log-format text`) and `environment`, and
    /// waits until it listens.
    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = TestSupport.binary
        process.arguments = arguments + ["--port", "0", "--log-format", "text"]
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        log = LogAccumulator(err.fileHandleForReading)
        let log = self.log
        guard TestSupport.eventually(10, { log.text.contains("listening on http://127.0.0.1:") }),
              let port = log.text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/).flatMap({ Int($0.1) })
        else {
            process.terminate()
            throw TestHTTPClient.ClientError(description: "daemon did not start: \(log.text)")
        }
        self.port = port
    }

    /// Sends `signal` to the daemon.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// How many times `fragment` occurs in the log.
    func count(_ fragment: String) -> Int { log.text.components(separatedBy: fragment).count - 1 }

    /// SIGTERM, then waits for the exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

extension TestSupport {
    /// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN), tried once on a scratch directory.
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let directory = try? temporaryDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: directory) }
        guard (try? mountTmpfs(at: directory.path, bytes: 64 << 10)) != nil else { return false }
        return unmount(directory.path)
    }()

    /// Mounts a tmpfs of `bytes` at `path` (`mount -t tmpfs`): a small filesystem to fill up.
    static func mountTmpfs(at path: String, bytes: Int) throws {
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(bytes),mode=0700", "tmpfs", path]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw TestHTTPClient.ClientError(description: "mount -t tmpfs \(path) failed") }
    }

    /// Unmounts `path`; returns whether it worked.
    @discardableResult
    static func unmount(_ path: String) -> Bool {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [path]
        guard (try? umount.run()) != nil else { return false }
        umount.waitUntilExit()
        return umount.terminationStatus == 0
    }
}
