import Foundation
import Testing
@testable import WebhookDaemon

/// The config file, the environment and flags, and the errors a user sees for each mistake.
struct DaemonConfigurationTests {
    static func load(_ json: String) throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        try configuration.apply(configJSON: Data(json.utf8), source: "test.json")
        return configuration
    }

    @Test func exampleConfig_loadsWithEveryOption() throws {
        var configuration = DaemonConfiguration()
        try configuration.apply(configFile: TestSupport.packageRoot.appendingPathComponent("config.example.json").path)
        try configuration.validate()
        #expect(configuration.endpoints.map(\.path) == ["/webhook", "/webhook/connect", "/webhook/thin"])
        #expect(configuration.endpoints.map(\.payload) == [.snapshot, .snapshot, .thin])
        #expect(configuration.endpoints[0].secrets.map(\.label) == ["account-2026-05", "account-2026-11"])
        #expect(configuration.endpoints[0].secrets[1].source == .file("/etc/stripe-webhookd/account-rolled-secret"))
        #expect(configuration.handlers.map(\.name) == ["fulfil-order", "alert-dispute", "crm-invoices", "mark-paid"])
        let fulfil = configuration.handlers[0]
        #expect(fulfil.timeoutSeconds == 30 && fulfil.killGraceSeconds == 5 && fulfil.maxAttempts == 8 && fulfil.maxConcurrency == 2)
        guard case .command(let command) = fulfil.action, case .forward(let forward) = configuration.handlers[2].action else {
            Issue.record("the example's actions changed")
            return
        }
        #expect(command.workingDirectory == "/var/lib/shop" && command.environment["SHOP_API_TOKEN"] == ValueReference(parsing: "env:SHOP_API_TOKEN"))
        #expect(forward.signingSecret?.label == "crm" && forward.headers.count == 2)
        #expect(configuration.handlers[3].dedupeKey == ["checkout.session.completed": "data.object.invoice", "invoice.paid": "data.object.id"])
        #expect(configuration.store == "sqlite:/var/lib/stripe-webhookd/events.sqlite")
        #expect(configuration.limits.maxBodyBytes == 1_048_576)
        #expect(configuration.retry.maxAttempts == 10)
        #expect(configuration.admin == DaemonConfiguration.Admin(host: "127.0.0.1", port: 9242))
        #expect(configuration.trustedProxies == ["127.0.0.1", "::1"])
        #expect(configuration.allowedSourceIPs.count == 15)
        #expect(configuration.readiness == DaemonConfiguration.Readiness(maxPendingAgeSeconds: 300, storeCheckTimeoutSeconds: 2))
    }

    @Test(arguments: [
        (#"{"prot": 1}"#, #"unknown key "prot""#),
        (#"{"limits": {"max_body": 5}}"#, #"limits: unknown key "max_body""#),
        (#"{"retry": {"attempts": 5}}"#, #"retry: unknown key "attempts""#),
        (#"{"admin": {"prot": 1}}"#, #"admin: unknown key "prot""#),
        (#"{"readiness": {"max_age": 1}}"#, #"readiness: unknown key "max_age""#),
        (#"{"trusted_proxies": "127.0.0.1"}"#, "trusted_proxies: expected an array"),
        (#"{"secrets": [{"value": "env:X", "lable": "a"}]}"#, #"unknown key "lable""#),
        (#"{"port": "4242"}"#, "port: expected an integer"),
        (#"{"disable_timestamp_check": 1}"#, "disable_timestamp_check: expected true or false"),
        (#"{"log_level": "loud"}"#, #"log_level: "loud" is not one of"#),
        (#"{"port": 4242"#, "not valid JSON"),
        (#"[1, 2]"#, "expected"),
    ])
    func badConfigFile_isRejectedNamingTheKey(json: String, message: String) {
        #expect {
            try Self.load(json)
        } throws: { error in
            let text = (error as? ConfigurationError)?.message ?? ""
            return text.contains("test.json") && text.contains(message)
        }
    }

    @Test(arguments: [
        (#"{"tolerance_seconds": 0}"#, "tolerance_seconds: 0 is not allowed"),
        (#"{"tolerance_seconds": -5}"#, "tolerance_seconds"),
        (#"{"port": 70000}"#, "port: 70000"),
        (#"{"path": "webhook"}"#, "path:"),
        (#"{"limits": {"max_body_bytes": 0}}"#, "limits.max_body_bytes"),
        (#"{"workers": 0}"#, "workers"),
        (#"{"trusted_proxies": ["127.0.0.1", "localhost"]}"#, #"trusted_proxies[1]: "localhost" is not an IP address or CIDR block"#),
        (#"{"allowed_source_ips": ["10.0.0.0/33"]}"#, #"allowed_source_ips[0]: "10.0.0.0/33""#),
        (#"{"admin": {"port": 4242}}"#, "admin.port: 4242 is the webhook port"),
        (#"{"admin": {"port": 70000}}"#, "admin.port: 70000"),
        (#"{"readiness": {"max_pending_age_seconds": 0}}"#, "readiness.max_pending_age_seconds"),
    ])
    func invalidValue_failsValidationNamingTheKey(json: String, message: String) throws {
        let configuration = try Self.load(json)
        #expect {
            try configuration.validate()
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains(message)
        }
    }

    @Test func precedence_flagsOverEnvironmentOverFile() throws {
        let directory = try TestSupport.temporaryDirectory()
        let file = directory.appendingPathComponent("c.json")
        try Data(#"{"port": 5000, "host": "0.0.0.0", "secrets": ["whsec_file"]}"#.utf8).write(to: file)
        let fromFile = try #require(try ServeCommand.configuration(["--config", file.path], environment: [:]))
        #expect(fromFile.port == 5000 && fromFile.host == "0.0.0.0")
        #expect(fromFile.secrets.map { try? $0.resolve(environment: [:]) } == ["whsec_file"])

        let environment = ["STRIPE_WEBHOOK_SECRET": "whsec_a, whsec_b"]
        let fromEnvironment = try #require(try ServeCommand.configuration(["--config", file.path], environment: environment))
        #expect(fromEnvironment.secrets.map { try? $0.resolve(environment: environment) } == ["whsec_a", "whsec_b"])

        let fromFlags = try #require(try ServeCommand.configuration(["--config", file.path, "--port=6000", "--secret", "whsec_flag"], environment: environment))
        #expect(fromFlags.port == 6000 && fromFlags.host == "0.0.0.0")
        #expect(fromFlags.secrets.map { try? $0.resolve(environment: environment) } == ["whsec_flag"])
    }

    @Test(arguments: [
        (["--port", "nope"], "--port nope: expected a whole number"),
        (["--bogus"], "unknown option --bogus"),
        (["--secret"], "--secret needs a value"),
        (["--tolerance", "0"], "--tolerance 0"),
        (["--log-level", "loud"], "--log-level loud"),
        (["extra"], "unexpected argument 'extra'"),
    ])
    func badFlag_saysWhatIsWrong(arguments: [String], message: String) {
        #expect {
            try ServeCommand.configuration(arguments, environment: [:])
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains(message)
        }
    }

    @Test func secretReferences_resolveFromEnvironmentAndFileWithoutLeaking() throws {
        let directory = try TestSupport.temporaryDirectory()
        let file = directory.appendingPathComponent("secret")
        try Data("  whsec_from_file\n".utf8).write(to: file)
        #expect(try SecretReference(parsing: "file:\(file.path)").resolve(environment: [:]) == "whsec_from_file")
        #expect(try SecretReference(parsing: "env:MY_SECRET").resolve(environment: ["MY_SECRET": "whsec_env"]) == "whsec_env")
        #expect(throws: ConfigurationError.self) { try SecretReference(parsing: "env:MISSING").resolve(environment: [:]) }
        #expect(throws: ConfigurationError.self) { try SecretReference(parsing: "file:/nonexistent/x").resolve(environment: [:]) }
        let literal = SecretReference(parsing: "whsec_super_secret_value")
        #expect(!"\(literal)".contains("whsec_super_secret_value"))
        #expect(literal.isLiteral)
    }

    @Test func noSecret_refusesToStartAndSaysHowToGetOne() {
        var configuration = DaemonConfiguration()
        configuration.store = "memory"
        #expect {
            _ = try WebhookApplication(configuration: configuration, environment: [:], logger: .init(label: "t", sink: LogCaptureSink.discard))
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.contains("stripe listen --print-secret") && message.contains("Dashboard")
        }
    }
}

import WebhookSupport

/// A sink for tests that only need a logger.
enum LogCaptureSink {
    static let discard = LogSink(format: .text) { _ in }
}
