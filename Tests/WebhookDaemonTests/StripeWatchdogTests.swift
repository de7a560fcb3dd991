import Foundation
import StripeTestSupport
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// The endpoint watchdog, the automatic catch-up and `check-config --online`, against the fake Stripe API.
@Suite(.serialized)
struct StripeWatchdogTests {
    /// A config file in a new temporary directory: a recording handler per `handlers` entry (name → events).
    static func setUp(_ fake: FakeStripeAPI, stripe: String, handlers: [(String, [String])] = [("record", ["*"])]) throws -> (directory: URL, config: String, runs: URL) {
        let directory = try TestSupport.temporaryDirectory()
        let runs = directory.appendingPathComponent("runs.txt")
        let script = try TestSupport.script("record.sh", in: directory, "echo \"$STRIPE_EVENT_ID\" >> \(runs.path)")
        let entries = handlers.map { name, events in
            #"{"name": "\#(name)", "events": [\#(events.map { "\"\($0)\"" }.joined(separator: ", "))], "command": ["\#(script)"]}"#
        }
        let config = directory.appendingPathComponent("config.json").path
        try Data("""
            {"store": "sqlite:\(directory.appendingPathComponent("events.sqlite").path)", "secrets": ["env:STRIPE_WEBHOOK_SECRET"],
             "handlers": [\(entries.joined(separator: ", "))],
             "stripe": {"api_key": "env:STRIPE_API_KEY", "api_base": "\(fake.baseURL)"\(stripe)}}
            """.utf8).write(to: URL(fileURLWithPath: config))
        return (directory, config, runs)
    }

    static func environment(_ fake: FakeStripeAPI, key: String? = nil) -> [String: String] {
        ["STRIPE_WEBHOOK_SECRET": "whsec_watchdog_test", "STRIPE_API_KEY": key ?? fake.key]
    }

    /// The value of the endpoint gauge in `/metrics`, if it is there.
    static func enabledGauge(port: Int) -> String? {
        guard let metrics = try? OperationsTests.get("/metrics", port: port).body else { return nil }
        return metrics.split(separator: "\n").first { $0.hasPrefix("stripe_webhookd_stripe_endpoint_enabled{") }.map { String($0.split(separator: " ").last ?? "") }
    }

    @Test func disabledEndpoint_flipsReadyzAndTheMetric_andBackWhenEnabled() throws {
        let fake = try FakeStripeAPI()
        try fake.setEndpoint(["id": "we_watch", "status": "enabled", "enabled_events": ["*"]])
        let setup = try Self.setUp(fake, stripe: #", "webhook_endpoint_id": "we_watch", "endpoint_check_interval_seconds": 1"#)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let daemon = try DaemonProcess(["--config", setup.config], environment: Self.environment(fake))
        defer { daemon.stop() }
        #expect(TestSupport.eventually(20) { Self.enabledGauge(port: daemon.port) == "1" })
        #expect(try OperationsTests.get("/readyz", port: daemon.port).status == 200)

        try fake.setEndpoint(["id": "we_watch", "status": "disabled"])
        #expect(TestSupport.eventually(20) { Self.enabledGauge(port: daemon.port) == "0" })
        let notReady = try OperationsTests.get("/readyz", port: daemon.port)
        #expect(notReady.status == 503)
        #expect(notReady.body.contains("stripe_endpoint_disabled") && notReady.body.contains("we_watch"))
        #expect(daemon.log.text.contains("Re-enable it in the Dashboard"))
        #expect(daemon.log.text.contains("events backfill"))

        try fake.setEndpoint(["id": "we_watch", "status": "enabled"])
        #expect(TestSupport.eventually(20) { Self.enabledGauge(port: daemon.port) == "1" })
        #expect(TestSupport.eventually(10) { (try? OperationsTests.get("/readyz", port: daemon.port).status) == 200 })
        #expect(daemon.log.text.contains("enabled again"))
        daemon.stop()
        #expect(!daemon.log.text.contains(fake.key))
    }

    @Test func handlerSubscribedToNothingEnabled_isReported_atStartOnReloadAndOnline() throws {
        let fake = try FakeStripeAPI()
        try fake.setEndpoint(["id": "we_cov", "enabled_events": ["invoice.paid", "invoice.created"]])
        let setup = try Self.setUp(fake, stripe: #", "webhook_endpoint_id": "we_cov""#,
                                   handlers: [("crm", ["customer.*"]), ("billing", ["invoice.*"])])
        defer { try? FileManager.default.removeItem(at: setup.directory) }

        let online = try CommandLineTests.run(["check-config", "--config", setup.config, "--online"], environment: Self.environment(fake))
        #expect(online.status == 2)
        #expect(online.err.contains(#"handler "crm""#) && !online.err.contains(#"handler "billing""#))
        #expect(online.err.contains("stripe.api_key works") && online.err.contains("we_cov of /webhook is enabled"))
        #expect(!online.out.contains(fake.key) && !online.err.contains(fake.key))

        let daemon = try DaemonProcess(["--config", setup.config], environment: Self.environment(fake))
        defer { daemon.stop() }
        #expect(TestSupport.eventually(20) { daemon.log.text.contains(#"handler "crm""#) })
        #expect(!daemon.log.text.contains(#"handler "billing""#))

        // Stripe now sends only customer events: on reload, billing is reported.
        try fake.setEndpoint(["id": "we_cov", "enabled_events": ["customer.created"]])
        daemon.send(SIGHUP)
        #expect(TestSupport.eventually(20) { daemon.log.text.contains(#"handler "billing""#) })
    }

    @Test func checkConfigOnline_reportsAWrongKeyAndAMissingPermission() throws {
        let fake = try FakeStripeAPI()
        try fake.setEndpoint(["id": "we_key"])
        let setup = try Self.setUp(fake, stripe: #", "webhook_endpoint_id": "we_key""#)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let wrong = "rk_test_revoked_key_987654321"
        let refused = try CommandLineTests.run(["check-config", "--config", setup.config, "--online"], environment: Self.environment(fake, key: wrong))
        #expect(refused.status == 2)
        #expect(refused.err.contains("401") && refused.err.contains("stripe.api_key"))
        let restricted = "rk_test_endpoints_only_4567"
        try fake.addRestrictedKey(restricted, permissions: ["rak_webhook_read"])
        let forbidden = try CommandLineTests.run(["check-config", "--config", setup.config, "--online"], environment: Self.environment(fake, key: restricted))
        #expect(forbidden.status == 2)
        #expect(forbidden.err.contains("403") && forbidden.err.contains("rak_event_read"))
        for text in [refused.out, refused.err, forbidden.out, forbidden.err] {
            #expect(!text.contains(wrong) && !text.contains(restricted))
        }
        // A live key against a test endpoint is a configuration error.
        let live = "rk_live_mode_mismatch_1234"
        try fake.addRestrictedKey(live, permissions: ["rak_webhook_read", "rak_event_read"])
        let mismatch = try CommandLineTests.run(["check-config", "--config", setup.config, "--online"], environment: Self.environment(fake, key: live))
        #expect(mismatch.status == 2 && mismatch.err.contains("test mode endpoint, but stripe.api_key is a live mode key"))
    }

    @Test func automaticCatchUp_storesMissedEventsAtStartAndOnItsTimer_andSurvivesFailures() throws {
        let fake = try FakeStripeAPI()
        let missed = try fake.addEvents([["sample": "invoice.paid"], ["sample": "customer.created"]])
        let setup = try Self.setUp(fake, stripe: #", "max_retries": 0, "catch_up": {"interval_seconds": 1, "look_back": "1h"}"#)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        func handled() -> [String] { ((try? String(contentsOf: setup.runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        let daemon = try DaemonProcess(["--config", setup.config], environment: Self.environment(fake))
        defer { daemon.stop() }
        #expect(TestSupport.eventually(20) { Set(handled()) == Set(missed) })

        // Stripe's API fails for a while: logged, retried at the next interval, the daemon stays up.
        try fake.addFault(["status": 500, "count": 3])
        let later = try fake.addEvents([["sample": "payment_intent.succeeded"]])
        #expect(TestSupport.eventually(30) { Set(handled()) == Set(missed + later) })
        #expect(daemon.log.text.contains("catch-up failed; retrying at the next interval"))
        #expect(daemon.process.isRunning)
        Thread.sleep(forTimeInterval: 2)
        #expect(handled().count == 3)
        let metrics = try OperationsTests.get("/metrics", port: daemon.port).body
        #expect(metrics.contains("stripe_webhookd_catch_up_events_stored_total 3"))
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("stripe_webhookd_stripe_api_failures_total ") && !$0.hasSuffix(" 0") })
        daemon.stop()
        #expect(!daemon.log.text.contains(fake.key))
    }
}
