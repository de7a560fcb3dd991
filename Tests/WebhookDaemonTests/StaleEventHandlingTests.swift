import EventStore
import Foundation
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// An event older (by Stripe's `created`) than one already handled for its object: commands are told
/// with STRIPE_EVENT_STALE, forwards with X-Stripe-Event-Stale, skip_stale handlers skip it, and
/// `events show` says so.
@Suite(.serialized)
struct StaleEventHandlingTests {
    /// A receiver that logs each request's event id and X-Stripe-Event-Stale header as `id=value` lines.
    static let receiver = #"""
        import http.server, sys
        log_path, port_path = sys.argv[1:3]
        class Receiver(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with open(log_path, "a") as log:
                    log.write("%s=%s\n" % (self.headers.get("X-Stripe-Event-Id"), self.headers.get("X-Stripe-Event-Stale")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        with open(port_path, "w") as f:
            f.write(str(server.server_address[1]))
        server.serve_forever()
        """#

    /// An invoice event about `in_stale` created at `created`.
    static func event(_ type: String, id: String, created: Int64) -> [UInt8] {
        let body = String(decoding: TestSupport.event(type, id: id, object: ["id": "in_stale", "object": "invoice"]), as: UTF8.self)
        return Array(body.replacingOccurrences(of: "\"created\": 1700000000", with: "\"created\": \(created)").utf8)
    }

    @Test func staleEvent_isFlaggedToCommandsAndForwards_andSkippedWhereAsked() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs.txt")
        let skipperRuns = directory.appendingPathComponent("skipper.txt")
        let forwarded = directory.appendingPathComponent("forwarded.txt")
        let record = try TestSupport.script("record.sh", in: directory, "echo \"$STRIPE_EVENT_ID $STRIPE_EVENT_STALE\" >> \(runs.path)")
        let skipper = try TestSupport.script("skipper.sh", in: directory, "echo \"$STRIPE_EVENT_ID\" >> \(skipperRuns.path)")
        let script = directory.appendingPathComponent("receiver.py")
        try Data(Self.receiver.utf8).write(to: script)
        let portPath = directory.appendingPathComponent("port").path
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        receiver.arguments = [PythonInterpreter.command, script.path, forwarded.path, portPath]
        try receiver.run()
        defer { kill(receiver.processIdentifier, SIGKILL); receiver.waitUntilExit() }
        #expect(TestSupport.eventually(10) { (try? String(contentsOfFile: portPath, encoding: .utf8)).flatMap { Int($0) } != nil })
        let port = try #require((try? String(contentsOfFile: portPath, encoding: .utf8)).flatMap { Int($0) })

        let daemon = try RunningDaemon { configuration in
            configuration.handlers = [
                HandlerConfiguration(name: "record", events: ["invoice.*"], action: .command(.init(argv: [record]))),
                { var handler = HandlerConfiguration(name: "skipper", events: ["invoice.*"], action: .command(.init(argv: [skipper]))); handler.skipStale = true; return handler }(),
                ForwardActionTests.forward("forward", port: port, path: "/", events: ["invoice.*"]),
            ]
        }
        defer { daemon.stop() }

        // Stripe created `finalized` after `created`, but delivered it first.
        #expect(try daemon.post(Self.event("invoice.finalized", id: "evt_stale_newer", created: 2_000)).status == 200)
        #expect(daemon.waitForEvent("evt_stale_newer", status: .done) != nil)
        #expect(try daemon.post(Self.event("invoice.created", id: "evt_stale_older", created: 1_000)).status == 200)
        let older = try #require(daemon.waitForEvent("evt_stale_older", status: .done))

        let lines = try String(contentsOf: runs, encoding: .utf8).split(separator: "\n")
        #expect(lines == ["evt_stale_newer false", "evt_stale_older true"])
        #expect(try String(contentsOf: skipperRuns, encoding: .utf8) == "evt_stale_newer\n")
        #expect(TestSupport.eventually(10) { ((try? String(contentsOf: forwarded, encoding: .utf8)) ?? "").split(separator: "\n").count == 2 })
        #expect(try String(contentsOf: forwarded, encoding: .utf8).split(separator: "\n") == ["evt_stale_newer=None", "evt_stale_older=true"])

        let skipped = try #require(older.handlers.first { $0.handler == "skipper" })
        #expect(skipped.succeeded && skipped.output?.contains("skipped (skip_stale)") == true && skipped.output?.contains("evt_stale_newer") == true)

        let shown = LockedText()
        let console = Console(out: { shown.append($0) }, err: { shown.append($0) })
        let store = try EventsCommand.openStore(daemon.application.configuration.store, readOnly: true)
        defer { store.close() }
        _ = try EventsCommand.show(store, id: "evt_stale_older", json: false, console: console)
        #expect(shown.text.contains("stale:        yes: evt_stale_newer"))
        shown.clear()
        _ = try EventsCommand.show(store, id: "evt_stale_newer", json: false, console: console)
        #expect(!shown.text.contains("stale:"))
    }
}

/// Text appended from several threads.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""

    /// Appends `piece`.
    func append(_ piece: String) { lock.lock(); value += piece; lock.unlock() }
    /// Empties it.
    func clear() { lock.lock(); value = ""; lock.unlock() }
    /// Everything appended.
    var text: String { lock.lock(); defer { lock.unlock() }; return value }
}
