import EventStore
import Foundation
import StripeTestSupport
import StripeWebhooks
import Testing
@testable import WebhookDaemon

/// Handlers with `fetch` against the fake Stripe API (`scripts/fake-stripe-api.py`): the full event or
/// the related object instead of the thin body, `Stripe-Context` for a connected account's event, a
/// failed fetch as a failed attempt that is retried, and nothing fetched in the store.
@Suite(.serialized)
struct ThinFetchTests {
    /// A command handler with `fetch` that saves what it gets on stdin as `<event id>.<name>`.
    static func saver(_ name: String, fetch: HandlerConfiguration.Fetch?, events: [String], directory: URL) throws -> HandlerConfiguration {
        let script = try TestSupport.script("\(name).sh", in: directory, #"cat > "\#(directory.path)/$STRIPE_EVENT_ID.\#(name)""#)
        var handler = HandlerConfiguration(name: name, events: events, action: .command(.init(argv: [script])))
        handler.fetch = fetch
        return handler
    }

    /// A daemon with the thin and snapshot endpoints reading Stripe's API at the fake.
    static func daemon(fake: FakeStripeAPI, handlers: [HandlerConfiguration]) throws -> RunningDaemon {
        try ThinEventEndToEndTests.daemon { configuration in
            configuration.stripe.apiKey = SecretReference(parsing: fake.key)
            configuration.stripe.apiBase = fake.baseURL
            configuration.retry.initialDelaySeconds = 0.2
            configuration.retry.maxDelaySeconds = 0.2
            configuration.handlers = handlers
        }
    }

    /// The file a saver wrote for `id`, as JSON.
    static func saved(_ directory: URL, _ id: String, _ name: String) -> [String: Any]? {
        (try? Data(contentsOf: directory.appendingPathComponent("\(id).\(name)")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    @Test func fetchEventAndRelatedObject_getTheirBodiesFromTheAPI_withStripeContext() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try FakeStripeAPI()
        defer { fake.stop() }
        let events = ["v1.billing.meter.error_report_triggered"]
        let daemon = try Self.daemon(fake: fake, handlers: [
            try Self.saver("full", fetch: .event, events: events, directory: directory),
            try Self.saver("current", fetch: .relatedObject, events: events, directory: directory),
            try Self.saver("thin", fetch: nil, events: events, directory: directory),
        ])
        defer { daemon.stop() }

        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "v1.billing.meter.error_report_triggered", eventID: id)!
        let thin = try ThinEvent.decode(from: body)
        let account = try #require(thin.context)
        var full = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        full["data"] = ["developer_message_summary": "There is 1 invalid event", "validation_start": "2024-09-17T06:00:00.000Z"]
        try fake.addV2Event(full)
        let meterPath = try #require(thin.relatedObject?.url)
        try fake.addObject(at: meterPath, ["id": thin.relatedObject?.id ?? "", "object": "billing.meter", "status": "active", "display_name": "Search API calls"], context: account)

        #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: ThinEventEndToEndTests.thinSecret), path: "/webhook/thin").status == 200)
        let stored = try #require(daemon.waitForEvent(id, status: .done))
        #expect(stored.handlers.filter(\.succeeded).map(\.handler).sorted() == ["current", "full", "thin"], "\(stored.handlers)")

        // "fetch": "event": the versioned event, with data.
        let gotEvent = try #require(Self.saved(directory, id, "full"))
        #expect(gotEvent["id"] as? String == id)
        #expect((gotEvent["data"] as? [String: Any])?["developer_message_summary"] as? String == "There is 1 invalid event")
        // "fetch": "related_object": the meter's current state.
        let gotObject = try #require(Self.saved(directory, id, "current"))
        #expect(gotObject["object"] as? String == "billing.meter" && gotObject["display_name"] as? String == "Search API calls")
        // No fetch: the thin body as received; and the store keeps only that.
        #expect(Array(try Data(contentsOf: directory.appendingPathComponent("\(id).thin"))) == body)
        #expect(stored.record.body == body)

        // One call per fetching handler, each with the event's context.
        let calls = try fake.requests().filter { ($0["path"] as? String).map { $0 == thin.eventPath || $0 == meterPath } ?? false }
        #expect(calls.count == 2, "\(calls)")
        #expect(calls.allSatisfy { $0["stripe_context"] as? String == account && $0["authorized"] as? Bool == true }, "\(calls)")
    }

    @Test func failedFetch_isAFailedAttempt_retriedUntilTheAPIAnswers() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try FakeStripeAPI()
        defer { fake.stop() }
        let daemon = try Self.daemon(fake: fake, handlers: [
            try Self.saver("full", fetch: .event, events: ["v2.core.account.*"], directory: directory),
        ])
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "v2.core.account.updated", eventID: id)!
        #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: ThinEventEndToEndTests.thinSecret), path: "/webhook/thin").status == 200)

        // Not in the API yet: the attempt fails with the API's answer, and the event waits for a retry.
        #expect(TestSupport.eventually { (daemon.storedEvent(id)?.handlers.count ?? 0) >= 1 })
        let first = try #require(daemon.storedEvent(id)?.handlers.first)
        #expect(!first.succeeded)
        #expect(first.error?.hasPrefix("fetch event failed: GET /v2/core/events/\(id): HTTP 404") == true, "\(first.error ?? "")")
        #expect(Self.saved(directory, id, "full") == nil, "the command ran without its body")

        // Once Stripe has it, a retry fetches it and the handler runs.
        var full = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        full["data"] = [:] as [String: Any]
        full["changes"] = ["before": ["display_name": "Old"], "after": ["display_name": "New"]]
        try fake.addV2Event(full)
        let done = try #require(daemon.waitForEvent(id, status: .done))
        #expect(done.handlers.last?.succeeded == true && done.attempts >= 2)
        #expect((Self.saved(directory, id, "full")?["changes"] as? [String: Any])?["after"] != nil)
    }

    @Test func snapshotEvents_passThroughAFetchHandler_andFetchWithoutAKeyIsRefused() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try FakeStripeAPI()
        defer { fake.stop() }
        let daemon = try Self.daemon(fake: fake, handlers: [
            try Self.saver("full", fetch: .event, events: ["invoice.paid"], directory: directory),
        ])
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "invoice.paid", eventID: id)!
        #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: ThinEventEndToEndTests.snapshotSecret), path: "/webhook").status == 200)
        #expect(daemon.waitForEvent(id, status: .done)?.status == .done)
        #expect(Array(try Data(contentsOf: directory.appendingPathComponent("\(id).full"))) == body)
        #expect(try fake.requests().filter { ($0["path"] as? String)?.hasPrefix("/v2/") == true }.isEmpty)

        // "fetch" needs stripe.api_key: refused at start, naming the handler.
        var configuration = DaemonConfiguration()
        configuration.secrets = [SecretReference(parsing: "whsec_x")]
        configuration.store = "memory"
        configuration.handlers = [try Self.saver("full", fetch: .event, events: ["v2.core.account.*"], directory: directory)]
        #expect {
            try configuration.validate()
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains("handlers[0].fetch: needs stripe.api_key")
        }
    }
}

extension ThinFetchTests {
    /// The issue's "tried as a new user would": the binary with a config file holding a snapshot and a
    /// thin endpoint (each its own secret) and a `"fetch": "event"` handler, fed by `trigger`.
    @Test func newUser_bothEndpointsFromAConfigFile_triggerBothKinds_fetchHandlerGetsTheFullEvent() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try FakeStripeAPI()
        defer { fake.stop() }
        let accounts = try TestSupport.script("accounts.sh", in: directory, #"echo "$STRIPE_EVENT_TYPE $STRIPE_RELATED_OBJECT_ID" >> "\#(directory.path)/accounts.log""#)
        let full = try TestSupport.script("full.sh", in: directory, #"cat > "\#(directory.path)/$STRIPE_EVENT_ID.full""#)
        let config = directory.appendingPathComponent("config.json")
        try Data("""
            {"store": "sqlite:\(directory.path)/events.sqlite", "retry": {"initial_delay_seconds": 0.2, "max_delay_seconds": 0.2},
             "endpoints": [
               {"path": "/webhook", "secrets": [{"value": "env:SNAPSHOT_SECRET", "label": "snapshot"}]},
               {"path": "/webhook/thin", "secrets": [{"value": "env:THIN_SECRET", "label": "thin"}], "payload": "thin"}],
             "stripe": {"api_key": "env:STRIPE_API_KEY", "api_base": "\(fake.baseURL)"},
             "handlers": [
               {"name": "accounts", "events": ["v2.core.account.*"], "command": ["\(accounts)"]},
               {"name": "meter-errors", "events": ["v1.billing.meter.*"], "fetch": "event", "command": ["\(full)"]}]}
            """.utf8).write(to: config)
        let environment = ["SNAPSHOT_SECRET": "whsec_user_snapshot", "THIN_SECRET": "whsec_user_thin", "STRIPE_API_KEY": fake.key]
        let daemon = try DaemonProcess(["serve", "--config", config.path], environment: environment)
        defer { daemon.stop() }
        func trigger(_ type: String, _ path: String, _ secret: String) throws -> CommandLineTests.Run {
            try CommandLineTests.run(["trigger", type, "--url", "http://127.0.0.1:\(daemon.port)\(path)", "--secret", secret])
        }

        #expect(try trigger("payment_intent.succeeded", "/webhook", "whsec_user_snapshot").out.contains("-> 200"))
        #expect(try trigger("v2.core.account.updated", "/webhook/thin", "whsec_user_thin").out.contains("-> 200"))
        let meter = try trigger("v1.billing.meter.error_report_triggered", "/webhook/thin", "whsec_user_thin")
        #expect(meter.out.contains("-> 200"), "\(meter.out)")
        let id = try #require(ThinEventEndToEndTests.triggeredID(meter.out))
        // The wrong style on each endpoint: 400, saying so.
        #expect(try trigger("v2.core.account.updated", "/webhook", "whsec_user_snapshot").out.contains(#"-> 400 {"error":"thin_event""#))
        #expect(try trigger("invoice.paid", "/webhook/thin", "whsec_user_thin").out.contains(#"-> 400 {"error":"snapshot_event""#))

        #expect(TestSupport.eventually { daemon.log.text.contains("PaymentIntent was successful!") })
        #expect(TestSupport.eventually { ((try? String(contentsOf: directory.appendingPathComponent("accounts.log"), encoding: .utf8)) ?? "") == "v2.core.account.updated acct_1SJYFLbcODkA5Zd7\n" })
        // Stripe's API has the event (trigger made a new id, so the fake learns it now): the next attempt fetches it.
        var event = try #require(try JSONSerialization.jsonObject(with: Data(SampleEvents.payload(for: "v1.billing.meter.error_report_triggered", eventID: id)!)) as? [String: Any])
        event["data"] = ["developer_message_summary": "There is 1 invalid event"]
        try fake.addV2Event(event)
        #expect(TestSupport.eventually(15) { Self.saved(directory, id, "full") != nil })
        #expect((Self.saved(directory, id, "full")?["data"] as? [String: Any])?["developer_message_summary"] as? String == "There is 1 invalid event")
    }
}
