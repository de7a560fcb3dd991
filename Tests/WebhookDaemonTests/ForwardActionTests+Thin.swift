import Foundation
import StripeWebhooks
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Forwarding thin events: the thin body exactly as received, re-signed with the forward's secret, so
/// the receiving service verifies it with Stripe's SDK (`parse_event_notification`, which refuses
/// thin bodies given to `construct_event`) like any thin delivery.
extension ForwardActionTests {
    /// A receiving service for thin events: verifies each POST with `StripeClient.parse_event_notification`
    /// and appends `{"id", "type", "related_id", "sha256", "verified", "error"}` to the log file.
    static let thinTarget = #"""
        import hashlib, http.server, json, sys
        import stripe

        secret, log_path, port_path = sys.argv[1:4]
        client = stripe.StripeClient("sk_test_receiver")

        class Target(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                entry = {"sha256": hashlib.sha256(body).hexdigest(), "header_id": self.headers.get("X-Stripe-Event-Id")}
                try:
                    n = client.parse_event_notification(body, self.headers.get("Stripe-Signature"), secret)
                    entry.update({"verified": True, "id": n.id, "type": n.type, "related_id": n.related_object.id})
                except Exception as error:
                    entry.update({"verified": False, "error": str(error)})
                with open(log_path, "a") as log:
                    log.write(json.dumps(entry) + "\n")
                self.send_response(200 if entry["verified"] else 400)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Target)
        with open(port_path, "w") as f:
            f.write(str(server.server_address[1]))
        server.serve_forever()
        """#

    @Test func thinEvents_areForwardedAsReceived_andReSigned() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let forwardSecret = "whsec_forward_thin_\(UUID().uuidString.prefix(8))"
        let script = directory.appendingPathComponent("thin-target.py")
        try Data(Self.thinTarget.utf8).write(to: script)
        let logPath = directory.appendingPathComponent("requests.jsonl").path
        let portPath = directory.appendingPathComponent("port").path
        let target = Process()
        target.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        target.arguments = [PythonInterpreter.command, script.path, forwardSecret, logPath, portPath]
        target.standardOutput = FileHandle.nullDevice
        try target.run()
        // SIGKILL: a child of a test thread inherits its blocked signals, SIGTERM among them.
        defer { kill(target.processIdentifier, SIGKILL); target.waitUntilExit() }
        try #require(TestSupport.eventually(10) { ((try? String(contentsOfFile: portPath, encoding: .utf8)) ?? "").isEmpty == false })
        let port = try #require(Int(try String(contentsOfFile: portPath, encoding: .utf8)))

        let forward = Self.forward("accounts-service", port: port, path: "/", events: ["v2.core.account.*"]) { forward in
            forward.signingSecret = SecretReference(parsing: forwardSecret)
        }
        let daemon = try ThinEventEndToEndTests.daemon { configuration in configuration.handlers = [forward] }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "v2.core.account.updated", eventID: id)!
        #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: ThinEventEndToEndTests.thinSecret), path: "/webhook/thin").status == 200)
        let event = try #require(daemon.waitForEvent(id, status: .done))
        #expect(event.handlers.first { $0.handler == "accounts-service" }?.succeeded == true)
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let received = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(received.count == 1)
        #expect(received.first?["verified"] as? Bool == true, "\(received)")
        #expect(received.first?["id"] as? String == id && received.first?["header_id"] as? String == id)
        #expect(received.first?["type"] as? String == "v2.core.account.updated")
        #expect(received.first?["related_id"] as? String == "acct_1SJYFLbcODkA5Zd7")
        #expect(received.first?["sha256"] as? String == (try Self.sha256(body)), "the forwarded thin body differs from the posted one")
    }
}
