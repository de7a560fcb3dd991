import EventStore
import Foundation
import Testing
import StripeWebhooks
import WebhookSupport
@testable import WebhookDaemon

/// What an operator watches: /healthz, /readyz (store unwritable, backlog too old), /metrics parsed
/// by Prometheus's own Python parser, the admin listener, and client addresses behind a proxy.
@Suite(.serialized)
struct OperationsTests {
    /// One GET on a new connection.
    static func get(_ path: String, port: Int, headers: String = "") throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        try client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(headers)\r\n")
        guard let response = try client.readResponse() else { throw TestHTTPClient.ClientError(description: "no response to GET \(path)") }
        return response
    }

    /// `/metrics` parsed by `prometheus_client`'s text parser: sample name with sorted labels → value.
    static func scrape(port: Int) throws -> [String: Double] {
        let response = try get("/metrics", port: port)
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let parser = Process()
        parser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        parser.arguments = [PythonInterpreter.command, "-c", """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                    out[s.name + ("{" + labels + "}" if labels else "")] = s.value
            print(json.dumps(out))
            """]
        let input = Pipe(), output = Pipe()
        parser.standardInput = input
        parser.standardOutput = output
        try parser.run()
        input.fileHandleForWriting.write(Data(response.body.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        parser.waitUntilExit()
        #expect(parser.terminationStatus == 0, "prometheus_client could not parse /metrics:\n\(response.body)")
        return (try JSONSerialization.jsonObject(with: data) as? [String: Double]) ?? [:]
    }

    @Test func healthAndReadiness_answerOnAFreshDaemon() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let health = try Self.get("/healthz", port: daemon.port)
        #expect(health.status == 200 && health.body == #"{"status":"ok"}"#)
        let ready = try Self.get("/readyz", port: daemon.port)
        #expect(ready.status == 200 && ready.body == #"{"status":"ready"}"#)
        let post = try daemon.post(Array("{}".utf8), path: "/readyz")
        #expect(post.status == 405 && post.header("Allow") == "GET, HEAD")
    }

    @Test func metrics_parseAndTheCountersMove() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let before = try Self.scrape(port: daemon.port)
        #expect(before["stripe_webhookd_build_info{version=\(Version.current)}"] == 1)
        #expect(before["stripe_webhookd_pending_events"] == 0)

        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!
        #expect(try daemon.post(body).status == 200)
        #expect(try daemon.post(body).status == 200)  // a duplicate
        #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: "whsec_wrong")).status == 400)
        #expect(try daemon.post(body, signature: "t=1").status == 400)
        // A protocol error the application never sees is counted too.
        let client = try TestHTTPClient(port: daemon.port)
        try client.send("GET / HTTP/9.9\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse()?.status == 505)
        daemon.waitForEvent(id, status: .done)

        // The store gauges are read in the background (each scrape asks for a fresh reading).
        var after: [String: Double] = [:]
        #expect(TestSupport.eventually {
            after = (try? Self.scrape(port: daemon.port)) ?? [:]
            return after["stripe_webhookd_stored_events{status=done}"] == 1
        })
        func moved(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
        #expect(moved("stripe_webhookd_events_received_total{livemode=false,type=payment_intent.succeeded}") == 1)
        #expect(moved("stripe_webhookd_events_verified_total{secret=test}") == 1)
        #expect(moved("stripe_webhookd_events_duplicate_total") == 1)
        #expect(moved("stripe_webhookd_signature_failures_total{reason=signature_mismatch}") == 1)
        #expect(moved("stripe_webhookd_signature_failures_total{reason=no_v1_signature}") == 1)
        #expect(moved("stripe_webhookd_http_requests_total{status=400}") == 2)
        #expect(moved("stripe_webhookd_http_requests_total{status=505}") == 1)
        #expect(moved("stripe_webhookd_http_protocol_errors_total{reason=unsupported_version}") == 1)
        #expect(moved("stripe_webhookd_http_requests_total{status=200}") >= 3)
        #expect(moved("stripe_webhookd_http_request_duration_seconds_count") >= 4)
        #expect(moved("stripe_webhookd_handler_runs_total{handler=builtin.payment_intent.succeeded,result=success}") == 1)
        #expect(moved("stripe_webhookd_handler_duration_seconds_count{handler=builtin.payment_intent.succeeded}") == 1)
        #expect(moved("stripe_webhookd_store_commit_duration_seconds_count") >= 2)
        #expect(after["stripe_webhookd_stored_events{status=done}"] == 1)
        #expect(after["stripe_webhookd_oldest_pending_event_age_seconds"] == 0)
        #expect((after["stripe_webhookd_store_snapshot_age_seconds"] ?? -1) >= 0)
        #expect((after["stripe_webhookd_open_connections"] ?? 0) >= 1)
    }

    @Test func readiness_failsWhileTheStoreCannotWrite() throws {
        let daemon = try RunningDaemon { $0.readiness.storeCheckTimeoutSeconds = 1 }
        defer { daemon.stop() }
        #expect(try Self.get("/readyz", port: daemon.port).status == 200)
        // Another process holds the write lock for 4 s.
        let locker = try TestSupport.holdWriteLock(on: daemon.databasePath, seconds: 4)
        let started = Date()
        let refused = try Self.get("/readyz", port: daemon.port)
        #expect(refused.status == 503)
        #expect(refused.body.contains(#""status":"not_ready""#) && refused.body.contains("store_unwritable"))
        #expect(Date().timeIntervalSince(started) < 3, "the check waits its timeout, not the store's busy timeout")
        // /healthz still says the process serves.
        #expect(try Self.get("/healthz", port: daemon.port).status == 200)
        locker.waitUntilExit()
        #expect(TestSupport.eventually(10) { (try? Self.get("/readyz", port: daemon.port).status) == 200 })
    }

    @Test func stalledStore_readinessAndMetricsStillAnswerWithinTheTimeout() throws {
        let daemon = try RunningDaemon { $0.readiness.storeCheckTimeoutSeconds = 3 }
        defer { daemon.stop() }
        #expect(try Self.get("/readyz", port: daemon.port).status == 200)
        // Another process holds the write lock for 12 s: every write (and the probe) waits for it.
        let locker = try TestSupport.holdWriteLock(on: daemon.databasePath, seconds: 12)
        defer { locker.waitUntilExit() }
        // A delivery now waits for the lock: the writer is stuck behind it.
        Thread { _ = try? daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!) }.start()

        // Five probes at once: none queues behind another; each answers after about the timeout.
        let started = Date()
        let answers = LockedValue<[Int]>([])
        let group = DispatchGroup()
        for _ in 0..<5 {
            group.enter()
            Thread {
                let status = (try? Self.get("/readyz", port: daemon.port).status) ?? 0
                answers.withLock { $0.append(status) }
                group.leave()
            }.start()
        }
        // While they wait, /metrics answers at once: it neither reads the store nor queues behind them.
        Thread.sleep(forTimeInterval: 0.3)
        let scrapeStarted = Date()
        let metrics = try Self.get("/metrics", port: daemon.port)
        #expect(metrics.status == 200 && metrics.body.contains("stripe_webhookd_store_snapshot_age_seconds"))
        #expect(Date().timeIntervalSince(scrapeStarted) < 2, "/metrics waited \(Date().timeIntervalSince(scrapeStarted)) s")

        #expect(group.wait(timeout: .now() + 10) == .success, "concurrent readiness checks queued behind a stuck probe")
        #expect(answers.withLock { $0 } == [503, 503, 503, 503, 503])
        #expect(Date().timeIntervalSince(started) < 8, "five checks took \(Date().timeIntervalSince(started)) s with a 3 s timeout")
    }

    @Test func readiness_failsWhenTheBacklogIsOlderThanTheThreshold() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let failing = try TestSupport.script("fail.sh", in: directory, "exit 1")
        let daemon = try RunningDaemon {
            $0.readiness.maxPendingAgeSeconds = 1
            $0.retry.initialDelaySeconds = 60
            $0.retry.maxDelaySeconds = 60
            $0.handlers = [HandlerConfiguration(name: "always-fails", events: ["payment_intent.succeeded"], action: .command(.init(argv: [failing])))]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!).status == 200)
        #expect(TestSupport.eventually { !daemon.lines(containing: "event will be retried", id).isEmpty })
        #expect(try Self.get("/readyz", port: daemon.port).status == 200, "one second has not passed yet")
        Thread.sleep(forTimeInterval: 1.5)
        let stale = try Self.get("/readyz", port: daemon.port)
        #expect(stale.status == 503)
        #expect(stale.body.contains("backlog_too_old") && stale.body.contains("oldest_pending_age_seconds"))
        // /readyz waited for a fresh store reading, which the gauges show too.
        let metrics = try Self.scrape(port: daemon.port)
        #expect((metrics["stripe_webhookd_oldest_pending_event_age_seconds"] ?? 0) >= 1)
        #expect(metrics["stripe_webhookd_pending_events"] == 1)
        #expect(metrics["stripe_webhookd_handler_runs_total{handler=always-fails,result=failure}"] == 1)
        #expect(metrics["stripe_webhookd_event_retries_total"] == 1)
    }

    @Test func adminListener_servesOpsPathsAndTheWebhookListenerDoesNot() throws {
        let daemon = try RunningDaemon { $0.admin.port = 0 }
        defer { daemon.stop() }
        let adminPort = try #require(daemon.application.adminPort)
        #expect(adminPort != daemon.port)
        for path in ["/metrics", "/readyz", "/healthz"] {
            #expect(try Self.get(path, port: daemon.port).status == 404, "\(path) is not on the public listener")
            #expect(try Self.get(path, port: adminPort).status == 200, "\(path) is on the admin listener")
        }
        let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!
        let client = try TestHTTPClient(port: adminPort)
        try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: daemon.secret)))
        #expect(try client.readResponse()?.status == 404, "webhooks are not taken on the admin listener")
        #expect(try daemon.post(body).status == 200)
    }

    @Test func clientAddress_comesFromTrustedProxiesAndTheAllowListUsesIt() throws {
        let daemon = try RunningDaemon {
            $0.trustedProxies = ["127.0.0.1"]
            $0.allowedSourceIPs = ["198.51.100.0/24"]
        }
        defer { daemon.stop() }
        func post(forwardedFor: String?) throws -> (TestHTTPClient.Response, String) {
            let id = SampleEvents.freshEventID()
            let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!
            let client = try TestHTTPClient(port: daemon.port)
            let extra = forwardedFor.map { "X-Forwarded-For: \($0)\r\n" } ?? ""
            try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: daemon.secret), extraHeaders: extra))
            return (try #require(try client.readResponse()), id)
        }
        // The proxy (127.0.0.1, trusted) says the client is 198.51.100.7: allowed, and logged as such.
        let (allowed, id) = try post(forwardedFor: "203.0.113.1, 198.51.100.7")
        #expect(allowed.status == 200)
        #expect(!daemon.lines(containing: "event stored", id, "198.51.100.7").isEmpty)
        // A client outside the list gets 403 with a reason, and the event is not stored.
        let (refused, refusedID) = try post(forwardedFor: "203.0.113.1")
        #expect(refused.status == 403 && refused.body == #"{"error":"source_ip_not_allowed"}"#)
        #expect(daemon.storedEvent(refusedID) == nil)
        #expect(!daemon.lines(containing: "source_ip_not_allowed", "203.0.113.1").isEmpty)
        // Without the header the client is the proxy itself, which is not in the list.
        #expect(try post(forwardedFor: nil).0.status == 403)
    }

    @Test func untrustedPeer_cannotSpoofItsAddress() throws {
        let daemon = try RunningDaemon { $0.allowedSourceIPs = ["198.51.100.0/24"] }
        defer { daemon.stop() }
        let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: SampleEvents.freshEventID())!
        let client = try TestHTTPClient(port: daemon.port)
        try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: daemon.secret), extraHeaders: "X-Forwarded-For: 198.51.100.7\r\n"))
        #expect(try client.readResponse()?.status == 403, "no trusted_proxies: the header is ignored")
    }
}

/// The readiness check on its own, with a real memory store and dispatcher.
struct ReadinessCheckTests {
    @Test func stoppedDispatcher_isNotReady() {
        let store = MemoryEventStore()
        let logger = Logger(label: "t", level: .critical, sink: LogCaptureSink.discard)
        let dispatcher = EventDispatcher(store: store, router: EventRouter(), retry: RetryPolicy(), workers: 2, logger: logger)
        let check = ReadinessCheck(store: store, dispatcher: dispatcher)
        let settings = DaemonConfiguration.Readiness()
        #expect(check.run(settings).failures == ["dispatcher_stopped: 0 of 2 workers running"], "not started yet")
        dispatcher.start()
        #expect(TestSupport.eventually { check.run(settings).failures.isEmpty })
        dispatcher.stop()
        #expect(check.run(settings).failures == ["dispatcher_stopped: 0 of 2 workers running"])
        store.close()
        #expect(check.run(settings).failures.contains { $0.hasPrefix("store_unwritable: ") }, "a closed store takes no write")
    }
}
