import EventStore
import Foundation
import Testing
import WebhookSupport
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// A daemon started by a parent that left SIGCHLD ignored and the stop signals blocked (as some
/// supervisors and shells do) still waits for its commands, keeps handling events, and stops on SIGTERM.
@Suite(.serialized)
struct ProcessSignalsTests {
    @Test func daemonStartedWithSIGCHLDIgnoredAndSignalsBlocked_runsCommands_andStopsOnSIGTERM() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        let script = try TestSupport.script("record.sh", in: directory, #"""
            sleep 0.2
            echo "$STRIPE_EVENT_ID" >> "$1/handled.log"
            """#)
        let config = directory.appendingPathComponent("config.json")
        try Data("""
            {"shutdown_grace_seconds": 5, "handlers": [{"name": "record", "events": ["customer.created"],
              "command": ["\(script)", "\(directory.path)"], "environment": {"PATH": "/usr/bin:/bin"}, "timeout_seconds": 10}]}
            """.utf8).write(to: config)
        // Python sets the dispositions and the mask, then becomes the daemon (exec keeps both).
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        daemon.arguments = ["-c", """
            import os, signal, sys
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD})
            os.execv(sys.argv[1], sys.argv[1:])
            """, TestSupport.binary.path, "--config", config.path, "--store", "sqlite:\(database)", "--port", "0",
            "--log-format", "text", "--workers", "2"]
        // Sanitizer settings pass through (scripts/sanitizers.sh), so the daemon's reports land in files.
        let sanitizerOptions = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        daemon.environment = ["STRIPE_WEBHOOK_SECRET": "whsec_signals"].merging(sanitizerOptions) { a, _ in a }
        let err = Pipe()
        daemon.standardError = err
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let log = LogAccumulator(err.fileHandleForReading)
        #expect(TestSupport.eventually(10) { log.text.contains("listening on http://127.0.0.1:") }, "\(log.text)")
        let port = try #require(log.text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
        #expect(log.text.contains("SIGCHLD was ignored"))

        // Two events about different objects, then a third about the first object: each runs once.
        var ids: [String] = []
        for object in ["cus_sig_1", "cus_sig_2", "cus_sig_1"] {
            let body = TestSupport.event("customer.created", object: ["id": object, "object": "customer"])
            ids.append(TestSupport.eventID(of: body))
            #expect(try RunningCommandsTests.post(body, port: port, secret: "whsec_signals").status == 200)
        }
        let store = try SQLiteEventStore(path: database, logger: Logger(label: "t", level: .critical, sink: LogCaptureSink.discard), options: .readOnly)
        defer { store.close() }
        let allDone = TestSupport.eventually(20) { ids.allSatisfy { (try? store.event(id: $0))??.status == .done } }
        #expect(allDone, "commands never completed: \(log.text.suffix(2000))")
        let handled = (try? String(contentsOf: directory.appendingPathComponent("handled.log"), encoding: .utf8)) ?? ""
        #expect(handled.split(separator: "\n").map(String.init).sorted() == ids.sorted())
        for id in ids {
            let runs = (try? store.event(id: id))??.handlers.filter { $0.handler == "record" } ?? []
            #expect(runs.count == 1 && runs.first?.succeeded == true, "\(id): \(runs)")
        }

        // SIGTERM, though the parent blocked it, stops the daemon promptly and cleanly.
        let signalled = ContinuousClock.now
        kill(daemon.processIdentifier, SIGTERM)
        let exited = TestSupport.eventually(10) { !daemon.isRunning }
        #expect(exited, "SIGTERM did not stop the daemon: \(log.text.suffix(1500))")
        if exited {
            daemon.waitUntilExit()
            #expect(ContinuousClock.now - signalled < .seconds(7))
            #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0, "\(log.text.suffix(1500))")
        }
    }
}
