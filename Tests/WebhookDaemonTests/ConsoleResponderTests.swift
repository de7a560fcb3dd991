import EventStore
import Foundation
import Testing
@testable import WebhookDaemon

/// The console served by a running daemon: only on the admin listener, pages that answer, a replay
/// through the form that runs the handler again, and refused forms.
@Suite struct ConsoleResponderTests {
    /// A daemon with an admin listener and a command handler that fails on each event's first attempt.
    static func daemon() throws -> RunningDaemon {
        try RunningDaemon {
            $0.admin.port = 0
            $0.retry.initialDelaySeconds = 0.1
            $0.handlers = [HandlerConfiguration(name: "flaky", events: ["*"], action: .command(.init(argv: [
                "/bin/sh", "-c", #"if [ "$STRIPE_EVENT_ATTEMPT" = 1 ]; then echo "nope $STRIPE_EVENT_ID" >&2; exit 1; fi; echo "ok $STRIPE_EVENT_ID""#,
            ])))]
        }
    }

    static func request(_ method: String, _ path: String, port: Int, headers: [String] = [], body: String = "") throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        let head = (["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Content-Length: \(body.utf8.count)"] + headers).joined(separator: "\r\n")
        try client.send(head + "\r\n\r\n" + body)
        guard let response = try client.readResponse() else { throw TestHTTPClient.ClientError(description: "no response to \(method) \(path)") }
        return response
    }

    @Test func console_isOnTheAdminListenerOnly_andItsPagesAnswer() throws {
        let daemon = try Self.daemon()
        defer { daemon.stop() }
        let admin = try #require(daemon.application.adminPort)
        let id = SampleEvents.freshEventID()
        let payload = try #require(SampleEvents.payload(for: "invoice.paid", eventID: id))
        #expect(try daemon.post(payload).status == 200)
        #expect(daemon.waitForEvent(id, status: .done)?.status == .done)

        #expect(try Self.request("GET", "/", port: daemon.port).status == 404, "the webhook listener never serves the console")
        #expect(try Self.request("GET", "/events", port: daemon.port).status == 404)
        let overview = try Self.request("GET", "/", port: admin)
        #expect(overview.status == 200 && overview.body.contains("<svg") && overview.body.contains("flaky"))
        #expect(overview.header("Content-Security-Policy")?.hasPrefix("default-src 'none'") == true)
        #expect(overview.header("X-Frame-Options") == "DENY" && overview.header("Cache-Control") == "no-store")
        let list = try Self.request("GET", "/events?type=invoice.*", port: admin)
        #expect(list.status == 200 && list.body.contains(id))
        #expect(try Self.request("GET", "/events?type=charge.*", port: admin).body.contains(id) == false)
        #expect(try Self.request("GET", "/events?status=bogus", port: admin).status == 400)
        let page = try Self.request("GET", "/events/\(id)", port: admin)
        #expect(page.status == 200 && page.body.contains("nope \(id)") && page.body.contains("ok \(id)"), "both attempts' output shows")
        let raw = try Self.request("GET", "/events/\(id)/raw", port: admin)
        #expect(raw.status == 200 && raw.body == String(decoding: payload, as: UTF8.self), "the raw body, byte for byte")
        #expect(raw.header("Content-Disposition") == "attachment; filename=\"\(id).json\"")
        #expect(try Self.request("GET", "/events/evt_missing", port: admin).status == 404)
    }

    @Test func overview_namesTheOldestPendingEvent() throws {
        let daemon = try RunningDaemon {
            $0.admin.port = 0
            $0.retry.initialDelaySeconds = 600
            $0.handlers = [HandlerConfiguration(name: "down", events: ["*"], action: .command(.init(argv: ["/bin/sh", "-c", "exit 1"])))]
        }
        defer { daemon.stop() }
        let admin = try #require(daemon.application.adminPort)
        let first = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "invoice.paid", eventID: first)!).status == 200)
        #expect(TestSupport.eventually(10) { daemon.storedEvent(first)?.attempts == 1 && daemon.storedEvent(first)?.isClaimed == false })
        let second = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "invoice.paid", eventID: second)!).status == 200)
        let overview = try Self.request("GET", "/", port: admin)
        let oldest = try #require(overview.body.firstMatch(of: /<p class="warning" id="oldest-pending">(.*?)<\/p>/)?.output.1)
        #expect(oldest.contains(first) && !oldest.contains(second) && oldest.contains("exit status 1"), "\(oldest)")
    }

    @Test func replayForm_requeuesAndTheHandlerRunsAgain_butForeignFormsAreRefused() throws {
        let daemon = try Self.daemon()
        defer { daemon.stop() }
        let admin = try #require(daemon.application.adminPort)
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!).status == 200)
        #expect(daemon.waitForEvent(id, status: .done)?.status == .done)

        let confirmation = try Self.request("GET", "/events/\(id)/replay", port: admin)
        let csrf = try #require(confirmation.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/)?.output.1)
        let form = ["Content-Type: application/x-www-form-urlencoded"]
        let origin = "Origin: http://127.0.0.1:\(admin)"
        #expect(try Self.request("POST", "/events/\(id)/replay", port: admin, headers: form + ["Origin: http://evil.example"], body: "csrf=\(csrf)").status == 403)
        #expect(try Self.request("POST", "/events/\(id)/replay", port: admin, headers: form, body: "csrf=\(csrf)").status == 403)
        #expect(try Self.request("POST", "/events/\(id)/replay", port: admin, headers: form + [origin], body: "csrf=0\(csrf.dropFirst())").status == 403)
        #expect(daemon.storedEvent(id)?.replay == 0, "no refused form replayed the event")

        let replay = try Self.request("POST", "/events/\(id)/replay", port: admin, headers: form + [origin], body: "csrf=\(csrf)")
        #expect(replay.status == 303 && replay.header("Location") == "/events/\(id)?replayed=1")
        #expect(TestSupport.eventually(20) { daemon.storedEvent(id).map { $0.replay == 1 && $0.status == .done && $0.handlers.contains { $0.replay == 1 && $0.succeeded } } ?? false })
    }
}
