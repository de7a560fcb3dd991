import Foundation
import Testing
@testable import WebhookDaemon

/// `check-config` reports every mistake in one run, with its JSON path; what `serve` will need from the
/// machine is checked too, and `serve` refuses the same configuration before it binds a port.
@Suite(.serialized)
struct CheckConfigCommandTests {
    /// Writes `text` to a config file in a new directory and returns its path.
    static func write(_ text: String) throws -> String {
        let directory = try TestSupport.temporaryDirectory()
        let file = directory.appendingPathComponent("config.json")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// `text` with each `(old, new)` replaced once; fails the test when `old` is not there.
    static func planting(_ mistakes: [(String, String)], in text: String) -> String {
        var text = text
        for (old, new) in mistakes {
            #expect(text.contains(old), "config.example.json no longer holds \(old)")
            if let range = text.range(of: old) { text.replaceSubrange(range, with: new) }
        }
        return text
    }

    @Test func exampleConfigWithPlantedMistakes_reportsEveryOneInOneRun() throws {
        let example = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("config.example.json"), encoding: .utf8)
        let planted = Self.planting([
            (#""port": 4242"#, #""port": 70000"#),
            (#""workers": 4"#, #""workers": "four""#),
            (#""log_level": "info""#, #""log_level": "loud""#),
            (#""max_header_count": 100"#, #""max_header_cont": 100"#),
            (#""timeout_seconds": 30"#, #""timeout_seconds": 0"#),
            (#""url": "https://crm.internal.example/stripe/events""#, #""url": "ftp://crm.internal.example""#),
            (#""name": "mark-paid","#, #""name": "mark-paid", "retries": 3,"#),
            (#""events": ["checkout.session.completed", "invoice.paid"]"#, #""events": ["checkout.session.completed", "invoice.paid", "invoice.payed"]"#),
        ], in: example)
        let path = try Self.write(planted)
        let run = try CommandLineTests.run(["check-config", "--config", path], environment: [:])
        #expect(run.status == 2)
        let expected = [
            "port: 70000 is not a TCP port",
            "workers: expected an integer",
            #"log_level: "loud" is not one of"#,
            #"limits: unknown key "max_header_cont""#,
            "handlers[0].timeout_seconds: expected more than 0",
            #"handlers[2].forward.url: "ftp://crm.internal.example" is not an http:// or https:// URL"#,
            #"handlers[3]: unknown key "retries""#,
            // What the machine lacks: the example's store directory, programs, working directory, secrets.
            "store: the directory /var/lib/stripe-webhookd does not exist",
            "handlers[0].working_directory: /var/lib/shop is not a directory",
            "handlers[0].command[0]: /usr/local/bin/fulfil-order is not an executable file",
            "handlers[1].command[0]: /usr/local/bin/page-on-call is not an executable file",
            "endpoints[0].secrets[0]: secret env:STRIPE_WEBHOOK_SECRET: the environment variable STRIPE_WEBHOOK_SECRET is not set",
            "endpoints[1].secrets[0]: secret env:STRIPE_CONNECT_WEBHOOK_SECRET",
            "endpoints[2].secrets[0]: secret env:STRIPE_THIN_WEBHOOK_SECRET",
            "handlers[0].environment.SHOP_API_TOKEN: the environment variable SHOP_API_TOKEN is not set",
        ]
        for fragment in expected {
            #expect(run.err.components(separatedBy: fragment).count == 2, "expected once: \(fragment)\n\(run.err)")
        }
        #expect(run.err.contains("errors in the configuration:"))
        // The misspelt type is a warning beside the errors, with the real one.
        #expect(run.err.contains(#"handlers[3].events[2]: "invoice.payed" is not a Stripe event type; did you mean invoice.paid?"#))
        #expect(run.out.isEmpty)
    }

    @Test func brokenEntries_keepTheIndexesOfTheOthers_andEachMistakeIsReportedOnce() {
        let json = #"""
            {"handlers": [
               "not-an-object",
               {"name": "b", "events": ["*"], "command": ["/bin/true"], "timeout_seconds": -1, "max_concurrency": "two"},
               {"events": [], "forward": {"headers": {}}},
               {"name": "d", "events": ["*"], "command": ["/bin/true"], "forward": {"url": "https://x.example"}}],
             "endpoints": [{"path": "/a", "secrets": ["whsec_a"], "tolerance": 3}],
             "port": true}
            """#
        var configuration = DaemonConfiguration()
        let issues = ConfigurationIssues()
        #expect(throws: Never.self) { try configuration.apply(configJSON: Data(json.utf8), source: "c.json", issues: issues) }
        configuration.validate(into: issues)
        let errors = issues.errors.map { $0.replacingOccurrences(of: "config file c.json: ", with: "") }
        #expect(errors.contains("handlers[0]: expected an object"), "\(errors)")
        #expect(errors.contains("handlers[1].max_concurrency: expected an integer"))
        #expect(errors.contains("handlers[1].timeout_seconds: expected more than 0 and at most 86400, got -1.0"))
        #expect(errors.contains(#"handlers[2].name: missing required key "name""#))
        #expect(errors.contains(#"handlers[2].forward.url: missing required key "url""#))
        #expect(errors.contains { $0.hasPrefix("handlers[2].events: empty") })
        #expect(errors.contains(#"handlers[3]: give one action, "command" or "forward", not both"#))
        #expect(errors.contains { $0.hasPrefix(#"endpoints[0]: unknown key "tolerance""#) })
        #expect(errors.contains("port: expected an integer"))
        // Consequences of a reported mistake are not reported again (the broken entry's empty name).
        #expect(!errors.contains { $0.hasPrefix("handlers[0].") || $0.hasPrefix("handlers[2].name: \"\"") })
        #expect(errors.count == 9, "\(errors.joined(separator: "\n"))")
    }

    @Test func invalidJSON_namesTheLineAndColumn() throws {
        let path = try Self.write("{\n  \"port\": 4242,\n  \"host\": \"127.0.0.1\"\n  \"store\": \"memory\"\n}\n")
        let run = try CommandLineTests.run(["check-config", "--config", path], environment: [:])
        #expect(run.status == 2)
        #expect(run.err.contains("config.json: not valid JSON"), "\(run.err)")
        #expect(run.err.contains("at line 4, column 3"), "\(run.err)")
    }

    @Test func misspeltEventType_warnsWithTheClosestRealType_andStillPasses() throws {
        let path = try Self.write(#"""
            {"store": "memory", "secrets": ["env:SECRET"],
             "handlers": [{"name": "paid", "events": ["invoice.payed", "invoce.*", "invoice.paid"], "command": ["/bin/true"]}]}
            """#)
        let run = try CommandLineTests.run(["check-config", "--config", path], environment: ["SECRET": "whsec_x"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains(#"handlers[0].events[0]: \"invoice.payed\" is not a Stripe event type; did you mean invoice.paid?"#)
            || run.err.contains(#"handlers[0].events[0]: "invoice.payed" is not a Stripe event type; did you mean invoice.paid?"#), "\(run.err)")
        #expect(run.err.contains("invoce.*") && run.err.contains("did you mean invoice.*?"))
        #expect(!run.err.contains("events[2]"))
        #expect(run.err.contains("configuration OK"))
    }

    @Test func closestType_isFoundByEditDistance() {
        #expect(StripeEventTypes.closest(to: "invoice.payed") == "invoice.paid")
        #expect(StripeEventTypes.closest(to: "payment_intent.succeded") == "payment_intent.succeeded")
        #expect(StripeEventTypes.closest(to: "customer.subscription.update") == "customer.subscription.updated")
        #expect(StripeEventTypes.closest(to: "something.else.entirely") == nil)
        #expect(StripeEventTypes.known.contains("invoice.paid") && StripeEventTypes.known.contains("charge.dispute.created"))
        // Every bundled sample is a type Stripe documents.
        for type in (try? TestSupport.sampleTypes()) ?? [] { #expect(StripeEventTypes.known.contains(type), "\(type)") }
    }

    @Test func missingStoreDirectoryAndWorkingDirectory_areErrors_notOK() throws {
        let path = try Self.write(#"""
            {"store": "sqlite:/nonexistent-webhookd-dir/events.sqlite", "secrets": ["env:SECRET"],
             "handlers": [{"name": "a", "events": ["*"], "command": ["/bin/true"], "working_directory": "/nonexistent-webhookd-work"}]}
            """#)
        let run = try CommandLineTests.run(["check-config", "--config", path], environment: ["SECRET": "whsec_x"])
        #expect(run.status == 2)
        #expect(run.err.contains("2 errors in the configuration"), "\(run.err)")
        #expect(run.err.contains("store: the directory /nonexistent-webhookd-dir does not exist"))
        #expect(run.err.contains("handlers[0].working_directory: /nonexistent-webhookd-work is not a directory"))
    }

    @Test func serve_refusesTheSameMistakesBeforeBindingItsPort() throws {
        // The port is busy: had serve bound before checking, it would fail with exit 1 "address already in use".
        let busy = try DaemonProcess(["--store", "memory"], environment: ["STRIPE_WEBHOOK_SECRET": "whsec_busy"])
        defer { busy.stop() }
        let path = try Self.write(#"""
            {"store": "sqlite:/nonexistent-webhookd-dir/events.sqlite", "secrets": ["env:SECRET"], "workers": 0,
             "handlers": [{"name": "a", "events": ["*"], "command": ["/nonexistent-webhookd-program"]}]}
            """#)
        let run = try CommandLineTests.run(["serve", "--config", path, "--port", String(busy.port)], environment: [:])
        #expect(run.status == 2, "\(run.err)")
        #expect(run.err.contains("4 errors in the configuration"), "\(run.err)")
        for fragment in ["workers: must be 1–256", "store: the directory /nonexistent-webhookd-dir does not exist",
                         "handlers[0].command[0]: /nonexistent-webhookd-program is not an executable file", "secrets[0]: secret env:SECRET"] {
            #expect(run.err.contains(fragment), "\(fragment)")
        }
        #expect(!run.err.contains("address already in use"))
    }
}
