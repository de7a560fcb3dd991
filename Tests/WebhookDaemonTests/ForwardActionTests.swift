import EventStore
import Foundation
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Forward handlers against a real local HTTP server that verifies each request with Python's
/// `stripe` SDK and the forward's signing secret, as a receiving service would.
@Suite(.serialized)
struct ForwardActionTests {
    /// The receiving service: `/` verifies with `stripe.Webhook.construct_event` and checks the
    /// headers; `/fail` answers 500, `/redirect` 302 to `/elsewhere`, `/slow` answers after 3 s.
    /// Every request is appended to the log file as one JSON line.
    static let target = #"""
        import hashlib, http.server, json, sys, time
        import stripe

        secret, token, log_path, port_path = sys.argv[1:5]

        class Target(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                entry = {"path": self.path, "sha256": hashlib.sha256(body).hexdigest(),
                         "event_id": self.headers.get("X-Stripe-Event-Id"), "event_type": self.headers.get("X-Stripe-Event-Type")}
                status, headers = 200, {}
                if self.path == "/fail":
                    status = 500
                elif self.path == "/redirect":
                    status, headers = 302, {"Location": "/elsewhere"}
                elif self.path == "/slow":
                    time.sleep(3)
                elif self.path == "/":
                    try:
                        event = stripe.Webhook.construct_event(body, self.headers.get("Stripe-Signature"), secret)
                        entry["verified"] = (event["id"] == entry["event_id"] and event["type"] == entry["event_type"]
                                             and self.headers.get("Authorization") == "Bearer " + token
                                             and self.headers.get("Content-Type", "").startswith("application/json"))
                    except Exception as error:
                        entry["verified"], entry["error"] = False, str(error)
                    status = 200 if entry["verified"] else 400
                with open(log_path, "a") as log:
                    log.write(json.dumps(entry) + "\n")
                reply = b"thanks" if status == 200 else b"nope"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Target)
        with open(port_path, "w") as f:
            f.write(str(server.server_address[1]))
        server.serve_forever()
        """#

    /// The target running in `python3`, its requests read back from its log.
    final class Target: @unchecked Sendable {
        // @unchecked: constants only.
        let process = Process()
        let port: Int
        let logPath: String

        init(secret: String, token: String, directory: URL) throws {
            let script = directory.appendingPathComponent("target.py")
            try Data(ForwardActionTests.target.utf8).write(to: script)
            logPath = directory.appendingPathComponent("requests.jsonl").path
            let portPath = directory.appendingPathComponent("port").path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [PythonInterpreter.command, script.path, secret, token, logPath, portPath]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            guard TestSupport.eventually(10, { FileManager.default.fileExists(atPath: portPath) && (try? String(contentsOfFile: portPath, encoding: .utf8))?.isEmpty == false }),
                  let port = Int((try? String(contentsOfFile: portPath, encoding: .utf8)) ?? "")
            else {
                process.terminate()
                throw TestHTTPClient.ClientError(description: "the Python target did not start (does STRIPE_WEBHOOKD_PYTHON, else python3, have the stripe package? scripts/test.sh sets it up)")
            }
            self.port = port
        }

        /// Every request so far.
        var requests: [[String: Any]] {
            guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        /// SIGKILL: a child of a test thread inherits its blocked signals, SIGTERM among them.
        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A forward handler to `path` on the target.
    static func forward(_ name: String, port: Int, path: String, events: [String], configure: (inout HandlerConfiguration.Forward) -> Void = { _ in }) -> HandlerConfiguration {
        var forward = HandlerConfiguration.Forward(url: "http://127.0.0.1:\(port)\(path)")
        configure(&forward)
        var handler = HandlerConfiguration(name: name, events: events, action: .forward(forward))
        handler.timeoutSeconds = 1
        return handler
    }

    /// SHA-256 of `bytes` in lowercase hex, via the same SDK-free route the target uses.
    static func sha256(_ bytes: [UInt8]) throws -> String {
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = [PythonInterpreter.command, "-c", "import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"]
        let input = Pipe(), output = Pipe()
        run.standardInput = input
        run.standardOutput = output
        try run.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func forwardedEvents_verifyWithTheStripeSDK_andCarryTheRawBodyAndConfiguredHeaders() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let forwardSecret = "whsec_forward_\(UUID().uuidString.prefix(8))"
        let target = try Target(secret: forwardSecret, token: "crm-token-123", directory: directory)
        defer { target.stop() }
        let daemon = try RunningDaemon(environment: ["CRM_FORWARD_SECRET": forwardSecret, "CRM_TOKEN": "Bearer crm-token-123"]) { configuration in
            configuration.handlers = [Self.forward("crm", port: target.port, path: "/", events: ["invoice.*", "payment_intent.succeeded"]) { forward in
                forward.signingSecret = SecretReference(parsing: "env:CRM_FORWARD_SECRET")
                forward.headers = ["Authorization": ValueReference(parsing: "env:CRM_TOKEN")]
            }]
        }
        defer { daemon.stop() }

        var sent: [String: [UInt8]] = [:]
        for type in ["invoice.paid", "payment_intent.succeeded"] {
            let id = SampleEvents.freshEventID()
            sent[id] = SampleEvents.payload(for: type, eventID: id)!
            #expect(try daemon.post(sent[id]!).status == 200)
        }
        for (id, body) in sent {
            let event = try #require(daemon.waitForEvent(id, status: .done))
            let run = try #require(event.handlers.first { $0.handler == "crm" })
            #expect(run.succeeded && run.output == "HTTP 200\nthanks")
            let received = target.requests.filter { $0["event_id"] as? String == id }
            #expect(received.count == 1)
            #expect(received.first?["verified"] as? Bool == true, "\(received)")
            #expect(received.first?["sha256"] as? String == (try Self.sha256(body)), "the forwarded body differs from the posted one")
        }
        #expect(!daemon.log.text.contains(forwardSecret) && !daemon.log.text.contains("crm-token-123"))
    }

    @Test func wrongSigningSecret_isRejectedByTheReceiver_andRetried() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = try Target(secret: "whsec_the_receivers_secret", token: "t", directory: directory)
        defer { target.stop() }
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 2, initialDelaySeconds: 0.05, maxDelaySeconds: 1)
            configuration.handlers = [Self.forward("crm", port: target.port, path: "/", events: ["invoice.paid"]) { forward in
                forward.signingSecret = SecretReference(parsing: "whsec_some_other_secret")
                forward.headers = ["Authorization": ValueReference(parsing: "Bearer t")]
            }]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "invoice.paid", eventID: id)!).status == 200)
        let failed = try #require(daemon.waitForEvent(id, status: .failed))
        #expect(failed.handlers.filter { $0.handler == "crm" }.map(\.error) == Array(repeating: "HTTP 400 from http://127.0.0.1:\(target.port)/", count: 2))
        #expect(target.requests.allSatisfy { ($0["error"] as? String)?.contains("No signatures found matching") == true })
    }

    @Test func serverError_redirect_andSlowAnswer_areFailedAttempts() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = try Target(secret: "whsec_x", token: "t", directory: directory)
        defer { target.stop() }
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 1, initialDelaySeconds: 0.05, maxDelaySeconds: 1)
            configuration.handlers = [
                Self.forward("failing", port: target.port, path: "/fail", events: ["customer.created"]),
                Self.forward("moved", port: target.port, path: "/redirect", events: ["customer.created"]),
                Self.forward("slow", port: target.port, path: "/slow", events: ["customer.created"]),
            ]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "customer.created", eventID: id)!).status == 200)
        let failed = try #require(daemon.waitForEvent(id, status: .failed))
        let runs = Dictionary(uniqueKeysWithValues: failed.handlers.map { ($0.handler, $0) })
        #expect(runs["failing"]?.error == "HTTP 500 from http://127.0.0.1:\(target.port)/fail")
        #expect(runs["failing"]?.output == "HTTP 500\nnope")
        #expect(runs["moved"]?.error?.hasPrefix("HTTP 302: redirect to /elsewhere not followed") == true, "\(runs["moved"]?.error ?? "")")
        #expect(runs["slow"]?.error == "timed out after 1 s waiting for http://127.0.0.1:\(target.port)/slow")
        let slowTook = (runs["slow"]?.finishedAt ?? 0) - (runs["slow"]?.startedAt ?? 0)
        #expect((900...2_500).contains(slowTook), "took \(slowTook) ms")
        #expect(!target.requests.contains { $0["path"] as? String == "/elsewhere" }, "the redirect was followed")
    }
}
