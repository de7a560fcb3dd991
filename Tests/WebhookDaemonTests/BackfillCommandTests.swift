import EventStore
import Foundation
import StripeTestSupport
import Testing
@testable import WebhookDaemon

/// `stripe-webhookd events backfill` against the fake Stripe API, with and without the daemon running.
@Suite(.serialized)
struct BackfillCommandTests {
    /// A temporary directory with a config file pointing at `fake`, a store, and a handler that
    /// appends each event id it runs for to `runs.txt`.
    struct Setup {
        let directory: URL
        let config: String
        let store: String
        let runs: URL
        let secret = "whsec_backfill_test"

        init(fake: FakeStripeAPI, extraStripe: String = "") throws {
            directory = try TestSupport.temporaryDirectory()
            runs = directory.appendingPathComponent("runs.txt")
            let script = try TestSupport.script("record.sh", in: directory, "echo \"$STRIPE_EVENT_ID\" >> \(runs.path)")
            store = directory.appendingPathComponent("events.sqlite").path
            config = directory.appendingPathComponent("config.json").path
            try Data("""
                {"store": "sqlite:\(store)", "secrets": ["env:STRIPE_WEBHOOK_SECRET"],
                 "handlers": [{"name": "record", "events": ["*"], "command": ["\(script)"]}],
                 "stripe": {"api_key": "env:STRIPE_API_KEY", "api_base": "\(fake.baseURL)"\(extraStripe)}}
                """.utf8).write(to: URL(fileURLWithPath: config))
        }

        /// The environment the daemon and the commands get.
        func environment(_ fake: FakeStripeAPI) -> [String: String] { ["STRIPE_WEBHOOK_SECRET": secret, "STRIPE_API_KEY": fake.key] }

        /// Ids the handler ran for, in order.
        var handled: [String] { ((try? String(contentsOf: runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        /// Runs `events backfill` with `arguments`.
        func backfill(_ fake: FakeStripeAPI, _ arguments: [String] = ["--since", "1h"]) throws -> CommandLineTests.Run {
            try CommandLineTests.run(["events", "backfill"] + arguments + ["--config", config], environment: environment(fake))
        }

        /// Posts a signed delivery to the daemon and returns the status.
        func deliver(_ body: [UInt8], to daemon: DaemonProcess) throws -> Int {
            let client = try TestHTTPClient(port: daemon.port)
            try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: secret)))
            return try #require(try client.readResponse()).status
        }
    }

    @Test func backfillAfterAGap_storesExactlyTheMissingEvents_andHandlersRunOnceEach() throws {
        let fake = try FakeStripeAPI()
        let setup = try Setup(fake: fake)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        // The daemon is down while three events happen (one older than the look-back window).
        let missed = try fake.addEventBodies([
            ["sample": "invoice.created", "object_id": "in_gap"], ["sample": "invoice.paid", "object_id": "in_gap"],
            ["sample": "customer.created"],
        ])
        try fake.addEvents([["sample": "charge.succeeded", "created": Int(Date().timeIntervalSince1970) - 7200]])

        let dry = try setup.backfill(fake, ["--since", "1h", "--dry-run"])
        #expect(dry.status == 0, Comment(rawValue: dry.err))
        #expect(dry.out.contains("fetched 3 events") && dry.out.contains("would store 3"))
        let first = try setup.backfill(fake)
        #expect(first.status == 0, Comment(rawValue: first.err))
        #expect(first.out.contains("fetched 3 events"))
        #expect(first.out.contains("stored 3; skipped 0"))
        #expect(setup.handled.isEmpty)

        // The daemon starts and runs each stored event's handler once, oldest first.
        let daemon = try DaemonProcess(["--config", setup.config], environment: setup.environment(fake))
        defer { daemon.stop() }
        #expect(TestSupport.eventually(30) { setup.handled.count == 3 })
        #expect(Set(setup.handled) == Set(missed.map(\.id)))
        // Events about one object run in the order Stripe created them (other objects run in parallel).
        let order = setup.handled
        #expect(try #require(order.firstIndex(of: missed[0].id)) < #require(order.firstIndex(of: missed[1].id)))

        // While it runs: two more events; Stripe delivers one, the other is missed.
        let more = try fake.addEventBodies([["sample": "payment_intent.succeeded"], ["sample": "payment_method.attached"]])
        #expect(try setup.deliver(more[0].body, to: daemon) == 200)
        let second = try setup.backfill(fake)
        #expect(second.out.contains("fetched 5 events") && second.out.contains("stored 1; skipped 4"), Comment(rawValue: second.out + second.err))
        // The running daemon picks up what another process stored.
        #expect(TestSupport.eventually(30) { setup.handled.count == 5 })
        #expect(Set(setup.handled) == Set(missed.map(\.id) + more.map(\.id)))

        // A second backfill stores nothing, and no handler runs again.
        let third = try setup.backfill(fake)
        #expect(third.out.contains("stored 0; skipped 5"))
        Thread.sleep(forTimeInterval: 1.5)
        #expect(setup.handled.count == 5)

        // events list/show tell where each event came from.
        let list = try CommandLineTests.run(["events", "list", "--json", "--store", "sqlite:\(setup.store)"])
        let sources = Dictionary(uniqueKeysWithValues: list.out.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["id"] as? String ?? "", object["source"] as? String ?? "")
        })
        #expect(sources[more[0].id] == "webhook")
        #expect(sources[more[1].id] == "backfill" && sources[missed[0].id] == "backfill")
        let show = try CommandLineTests.run(["events", "show", missed[1].id, "--store", "sqlite:\(setup.store)"])
        #expect(show.out.contains("source:       backfill"))

        // The key appears in no output and no log line.
        daemon.stop()
        for text in [dry.out, dry.err, first.out, first.err, second.out, second.err, third.out, third.err, daemon.log.text] {
            #expect(!text.contains(fake.key))
        }
    }

    @Test func backfillRacingLiveDeliveries_runsEachHandlerOnce() throws {
        let fake = try FakeStripeAPI()
        let setup = try Setup(fake: fake)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let daemon = try DaemonProcess(["--config", setup.config], environment: setup.environment(fake))
        defer { daemon.stop() }
        let events = try fake.addEventBodies((0..<30).map { index in ["sample": index % 2 == 0 ? "invoice.paid" : "customer.created"] })
        // Stripe delivers every event (some twice) while a backfill lists and stores the same ids.
        let delivered = LockedCounter()
        let delivery = Thread {
            for (_, body) in events + events.prefix(5) {
                if (try? setup.deliver(body, to: daemon)) == 200 { delivered.increment() }
            }
        }
        delivery.start()
        let run = try setup.backfill(fake)
        #expect(run.status == 0, Comment(rawValue: run.err))
        #expect(run.out.contains("fetched 30 events"))
        #expect(TestSupport.eventually(30) { delivered.value == 35 })
        #expect(TestSupport.eventually(30) { setup.handled.count >= 30 })
        Thread.sleep(forTimeInterval: 1.5)
        #expect(setup.handled.count == 30)
        #expect(Set(setup.handled) == Set(events.map(\.id)))
    }

    @Test func rateLimitStorm_isRetried_notFatal() throws {
        let fake = try FakeStripeAPI()
        let setup = try Setup(fake: fake)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try fake.addEvents([["sample": "invoice.paid"], ["sample": "invoice.created"]])
        try fake.addFault(["status": 429, "count": 3, "retry_after": 0])
        let run = try setup.backfill(fake)
        #expect(run.status == 0, Comment(rawValue: run.err))
        #expect(run.out.contains("stored 2; skipped 0"))
    }

    @Test func wrongOrUnderprivilegedKey_failsClearly_withoutPrintingIt() throws {
        let fake = try FakeStripeAPI()
        let setup = try Setup(fake: fake)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let wrong = "rk_test_wrong_key_0123456789"
        let refused = try CommandLineTests.run(["events", "backfill", "--since", "1h", "--config", setup.config],
                                               environment: ["STRIPE_API_KEY": wrong])
        #expect(refused.status == 1)
        #expect(refused.err.contains("401") && refused.err.contains("stripe.api_key"))
        let restricted = "rk_test_no_events_0123456789"
        try fake.addRestrictedKey(restricted, permissions: ["rak_webhook_read"])
        let forbidden = try CommandLineTests.run(["events", "backfill", "--since", "1h", "--config", setup.config],
                                                 environment: ["STRIPE_API_KEY": restricted])
        #expect(forbidden.status == 1)
        #expect(forbidden.err.contains("rak_event_read"))
        for text in [refused.out, refused.err, forbidden.out, forbidden.err] {
            #expect(!text.contains(wrong) && !text.contains(restricted))
        }
        // No key configured: a configuration error naming the setting.
        let none = try CommandLineTests.run(["events", "backfill", "--since", "1h", "--store", "sqlite:\(setup.store)"])
        #expect(none.status == 2 && none.err.contains("stripe.api_key"))
    }
}

/// A thread-safe counter.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Adds one.
    func increment() { lock.lock(); count += 1; lock.unlock() }
    /// The count.
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
