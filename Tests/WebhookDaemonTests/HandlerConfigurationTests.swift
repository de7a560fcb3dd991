import Foundation
import Testing
@testable import WebhookDaemon

/// Handler and endpoint settings: the errors a user sees for each mistake, and `check-config`.
@Suite(.serialized)
struct HandlerConfigurationTests {
    /// A config file body with `handlers` and a literal secret.
    static func withHandlers(_ handlers: String) -> String { #"{"secrets": ["whsec_x"], "handlers": [\#(handlers)]}"# }

    @Test(arguments: [
        (withHandlers(#"{"events": ["*"], "command": ["/bin/true"]}"#), #"handlers[0].name: missing required key "name""#),
        (withHandlers(#"{"name": "a", "command": ["/bin/true"]}"#), #"handlers[0].events: missing required key "events""#),
        (withHandlers(#"{"name": "a", "events": ["*"]}"#), "handlers[0]: no action; give \"command\""),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "forward": {"url": "http://x"}}"#), "handlers[0]: give one action"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": "/bin/true"}"#), "handlers[0].command: expected an array"),
        (withHandlers(#"{"name": "a", "events": ["*"], "forward": {"url": "http://x", "secret": "y"}}"#), #"handlers[0].forward: unknown key "secret""#),
        (withHandlers(#"{"name": "a", "events": ["*"], "forward": {"url": "http://x"}, "environment": {"A": "b"}}"#), "handlers[0].environment: applies to command handlers only"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "timeout": 5}"#), #"handlers[0]: unknown key "timeout"; expected one of: command"#),
        (#"{"path": "/x", "endpoints": [{"path": "/y", "secrets": ["whsec_y"]}]}"#, "endpoints: give either"),
        (#"{"endpoints": [{"path": "/y"}]}"#, #"endpoints[0].secrets: missing required key "secrets""#),
    ])
    func badHandlerFile_isRejectedNamingTheKey(json: String, message: String) {
        #expect {
            try DaemonConfigurationTests.load(json)
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains(message)
        }
    }

    @Test(arguments: [
        (withHandlers(#"{"name": "a b", "events": ["*"], "command": ["/bin/true"]}"#), "handlers[0].name: \"a b\" must be"),
        (withHandlers(#"{"name": "builtin.x", "events": ["*"], "command": ["/bin/true"]}"#), "belong to the built-in handlers"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"]}, {"name": "a", "events": ["*"], "command": ["/bin/true"]}"#), "handlers[1].name: \"a\" is used by an earlier handler"),
        (withHandlers(#"{"name": "a", "events": [], "command": ["/bin/true"]}"#), "handlers[0].events: empty"),
        (withHandlers(#"{"name": "a", "events": ["invoice*"], "command": ["/bin/true"]}"#), "handlers[0].events[0]: \"invoice*\""),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": []}"#), "handlers[0].command: expected"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "timeout_seconds": 0}"#), "handlers[0].timeout_seconds"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "max_attempts": 0}"#), "handlers[0].max_attempts: expected 1 or more"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "max_concurrency": 0}"#), "handlers[0].max_concurrency: expected 1 to 1024"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "environment": {"STRIPE_EVENT_ID": "x"}}"#), "handlers[0].environment.STRIPE_EVENT_ID: set by the daemon"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "environment": {"1A": "x"}}"#), "\"1A\" is not a variable name"),
        (withHandlers(#"{"name": "a", "events": ["*"], "command": ["/bin/true"], "working_directory": "tmp"}"#), "working_directory: \"tmp\" must be an absolute path"),
        (withHandlers(#"{"name": "a", "events": ["invoice.paid"], "command": ["/bin/true"], "dedupe_key": {"checkout.session.completed": "data.object.invoice"}}"#), "handlers[0].dedupe_key: \"checkout.session.completed\" is not among the handler's events"),
        (withHandlers(#"{"name": "a", "events": ["invoice.*"], "command": ["/bin/true"], "dedupe_key": {"invoice.*": "data.object.id"}}"#), "give exact event types"),
        (withHandlers(#"{"name": "a", "events": ["invoice.paid"], "command": ["/bin/true"], "dedupe_key": {"invoice.paid": "data..id"}}"#), "dedupe_key.invoice.paid: \"data..id\" is not a JSON path"),
        (withHandlers(#"{"name": "a", "events": ["*"], "forward": {"url": "ftp://example.com/x"}}"#), "handlers[0].forward.url: \"ftp://example.com/x\" is not an http:// or https:// URL"),
        (withHandlers(#"{"name": "a", "events": ["*"], "forward": {"url": "https://x.example", "headers": {"Stripe-Signature": "x"}}}"#), "forward.headers.Stripe-Signature: set by the daemon"),
        (#"{"endpoints": [{"path": "/a", "secrets": ["whsec_a"]}, {"path": "/a", "secrets": ["whsec_b"]}]}"#, "endpoints[1].path: /a is listed twice"),
        (#"{"endpoints": [{"path": "/a", "secrets": []}]}"#, "endpoints[0].secrets: no secret for /a"),
        (#"{"endpoints": [{"path": "/a", "secrets": ["whsec_a"], "tolerance_seconds": 0}]}"#, "endpoints[0].tolerance_seconds: 0 is not allowed"),
    ])
    func invalidHandlerValue_failsValidationNamingTheKey(json: String, message: String) throws {
        let configuration = try DaemonConfigurationTests.load(json)
        #expect {
            try configuration.validate()
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains(message)
        }
    }

    @Test func endpointsInTheFile_rejectPathAndSecretFlags_andLeaveTheEnvironmentSecretToThem() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("c.json")
        try Data(#"{"endpoints": [{"path": "/a", "secrets": ["env:STRIPE_WEBHOOK_SECRET"]}]}"#.utf8).write(to: file)
        let environment = ["STRIPE_WEBHOOK_SECRET": "whsec_a"]
        let loaded = try #require(try ServeCommand.configuration(["--config", file.path], environment: environment))
        #expect(loaded.effectiveEndpoints.map(\.path) == ["/a"])
        #expect(loaded.effectiveEndpoints[0].secrets == [SecretReference(parsing: "env:STRIPE_WEBHOOK_SECRET")])
        #expect {
            try ServeCommand.configuration(["--config", file.path, "--secret", "whsec_flag"], environment: [:])
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains("--secret: the config file lists endpoints")
        }
    }

    @Test func missingProgramOrVariable_isRefusedWhenLoaded_namingTheKey() {
        func build(_ handler: HandlerConfiguration, environment: [String: String] = [:]) -> String {
            var configuration = DaemonConfiguration()
            configuration.secrets = [SecretReference(parsing: "whsec_x")]
            configuration.handlers = [handler]
            do {
                _ = try DaemonRuntime.build(configuration, environment: environment, logger: .init(label: "t", sink: LogCaptureSink.discard), previous: nil)
                return "built"
            } catch {
                return error.message
            }
        }
        #expect(build(.init(name: "a", events: ["*"], action: .command(.init(argv: ["/nonexistent/fulfil"])))) ==
            "handlers[0].command[0]: /nonexistent/fulfil is not an executable file (check the path and its x permission)")
        #expect(build(.init(name: "a", events: ["*"], action: .command(.init(argv: ["no-such-program-here"]))), environment: ["PATH": "/usr/bin:/bin"]) ==
            "handlers[0].command[0]: \"no-such-program-here\" was not found in the daemon's PATH (/usr/bin:/bin); give an absolute path")
        #expect(build(.init(name: "a", events: ["*"], action: .command(.init(argv: ["sh"]))), environment: ["PATH": "/usr/bin:/bin"]) == "built")
        var command = HandlerConfiguration.Command(argv: ["/bin/true"])
        command.environment = ["TOKEN": ValueReference(parsing: "env:SHOP_TOKEN")]
        #expect(build(.init(name: "a", events: ["*"], action: .command(command))) ==
            "handlers[0].environment.TOKEN: the environment variable SHOP_TOKEN is not set in the daemon's environment")
        var forward = HandlerConfiguration.Forward(url: "https://crm.example/x")
        forward.signingSecret = SecretReference(parsing: "file:/nonexistent/secret")
        #expect(build(.init(name: "a", events: ["*"], action: .forward(forward))).hasPrefix("handlers[0].forward.signing_secret: secret file:/nonexistent/secret: cannot read"))
    }

    @Test func checkConfig_printsTheEffectiveConfiguration_withEverySecretRedacted() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let secretFile = directory.appendingPathComponent("rolled")
        try Data("whsec_value_from_file\n".utf8).write(to: secretFile)
        let file = directory.appendingPathComponent("c.json")
        try Data(#"""
            {"endpoints": [
               {"path": "/webhook", "secrets": ["env:ACCOUNT", {"value": "file:\#(secretFile.path)", "label": "rolled"}, "whsec_literal_value"]},
               {"path": "/connect", "secrets": [{"value": "env:CONNECT", "label": "connect"}], "tolerance_seconds": 120}],
             "store": "memory",
             "handlers": [
               {"name": "fulfil", "events": ["payment_intent.succeeded"], "command": ["/bin/true", "--flag"],
                "environment": {"TOKEN": "env:SHOP_TOKEN", "PASSWORD": "literal-password-value"}, "max_attempts": 3},
               {"name": "crm", "events": ["invoice.*"], "forward": {"url": "https://user:url-password@crm.example/hook?key=query-token",
                "headers": {"Authorization": "Bearer header-token-value"}, "signing_secret": "whsec_forward_literal"}}]}
            """#.utf8).write(to: file)
        let environment = ["ACCOUNT": "whsec_account_value", "CONNECT": "whsec_connect_value", "SHOP_TOKEN": "shop-token-value"]
        let run = try CommandLineTests.run(["check-config", "--config", file.path], environment: environment)
        #expect(run.status == 0, "\(run.err)")
        let output = run.out + run.err
        for secret in ["whsec_account_value", "whsec_connect_value", "whsec_value_from_file", "whsec_literal_value", "shop-token-value",
                       "literal-password-value", "url-password", "query-token", "header-token-value", "whsec_forward_literal"] {
            #expect(!output.contains(secret), "check-config printed \(secret)")
        }
        let printed = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let endpoints = try #require(printed["endpoints"] as? [[String: Any]])
        #expect(endpoints.map { $0["path"] as? String } == ["/webhook", "/connect"])
        #expect(endpoints[1]["tolerance_seconds"] as? Int == 120 && endpoints[0]["tolerance_seconds"] as? Int == 300)
        let secrets = try #require(endpoints[0]["secrets"] as? [[String: String]])
        #expect(secrets.map { $0["value"] } == ["env:ACCOUNT", "file:\(secretFile.path)", "<literal secret, redacted>"])
        #expect(secrets[1]["label"] == "rolled")
        let handlers = try #require(printed["handlers"] as? [[String: Any]])
        #expect(handlers[0]["max_attempts"] as? Int == 3 && handlers[1]["max_attempts"] as? Int == 10)
        #expect(handlers[0]["environment"] as? [String: String] == ["PASSWORD": "<literal, redacted>", "TOKEN": "env:SHOP_TOKEN"])
        #expect((handlers[1]["forward"] as? [String: Any])?["url"] as? String == "https://user:redacted@crm.example/hook?redacted")
        #expect(run.err.contains("a signing secret is written in the configuration") && run.err.contains("configuration OK: 2 endpoints, 2 handlers"))

        // Missing variables: exit 2 and the message names each reference, not a value.
        let missing = try CommandLineTests.run(["check-config", "--config", file.path], environment: ["ACCOUNT": "whsec_account_value"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("endpoints[1].secrets[0]: secret env:CONNECT: the environment variable CONNECT is not set"), "\(missing.err)")
        #expect(missing.err.contains("handlers[0].environment.TOKEN: the environment variable SHOP_TOKEN is not set"))
    }
}
