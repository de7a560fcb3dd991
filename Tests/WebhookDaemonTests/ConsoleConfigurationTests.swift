import Foundation
import Testing
@testable import WebhookDaemon
import WebhookSupport

/// `admin.auth` in the config file, and the refusal to start an admin listener that other machines
/// can reach without it.
@Suite struct ConsoleConfigurationTests {
    static func configuration(_ json: String) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        try configuration.apply(configJSON: Data(json.utf8), source: "test.json", issues: ConfigurationIssues())
        return configuration
    }

    @Test(arguments: ["0.0.0.0", "10.0.0.5", "::", "admin.internal"])
    func nonLoopbackAdminHost_withoutAuth_isRefused(_ host: String) throws {
        var configuration = DaemonConfiguration()
        configuration.admin.host = host
        configuration.admin.port = 9090
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.message.contains("admin.host") && error.message.contains("admin.auth"))
        }
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
    func loopbackAdminHost_needsNoAuth(_ host: String) throws {
        var configuration = DaemonConfiguration()
        configuration.admin.host = host
        configuration.admin.port = 9090
        try configuration.validate()
    }

    @Test func serve_refusesToStartOnAPublicAdminAddressWithoutAuth_exit2() throws {
        let errors = LockedLines()
        let console = Console(out: { _ in }, err: { errors.append($0) })
        let code = CommandLineInterface.run(["serve", "--secret", "whsec_x", "--port", "0", "--admin-host", "0.0.0.0", "--admin-port", "0", "--store", "memory"],
                                            environment: [:], console: console)
        #expect(code == .usage)
        #expect(errors.text.contains("admin.auth"))
    }

    @Test func authSection_parses_andIsRedactedInCheckConfig() throws {
        let hash = PasswordHash(hashing: "pw", iterations: 10_000).encoded
        let configuration = try Self.configuration("""
            {"admin": {"host": "0.0.0.0", "port": 9090, "auth": {"token": "env:ADMIN_TOKEN", "users": [{"name": "ops", "password_hash": "\(hash)"}],
             "public_paths": ["/healthz"], "allowed_origins": ["https://admin.example.com"], "secure_cookies": true, "session_seconds": 600}}}
            """)
        let auth = try #require(configuration.admin.auth)
        #expect(auth.token == ValueReference(parsing: "env:ADMIN_TOKEN"))
        #expect(auth.users == [.init(name: "ops", passwordHash: hash)])
        #expect(auth.publicPaths == ["/healthz"] && auth.allowedOrigins == ["https://admin.example.com"] && auth.secureCookies && auth.sessionSeconds == 600)
        try configuration.validate()
        let rendered = PrettyJSON.render(configuration.rendered())
        #expect(rendered.contains("env:ADMIN_TOKEN") && rendered.contains("\"ops\"") && !rendered.contains(hash))
    }

    @Test(arguments: [
        (#"{"token": "a-literal-token-in-the-file"}"#, "env:NAME or file:PATH"),
        (#"{}"#, "needs a token"),
        (#"{"users": [{"name": "ops", "password_hash": "plaintext"}]}"#, "hash-password"),
        (#"{"token": "env:T", "allowed_origins": ["admin.example.com"]}"#, "allowed_origins[0]"),
        (#"{"token": "env:T", "public_paths": ["healthz"]}"#, "public_paths[0]"),
    ])
    func badAuthSettings_areNamed(_ auth: String, _ expected: String) throws {
        let configuration = try Self.configuration(#"{"admin": {"port": 9090, "auth": \#(auth)}}"#)
        do {
            try configuration.validate()
            Issue.record("accepted \(auth)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func shortOrMissingToken_stopsTheDaemonFromStarting() throws {
        var configuration = DaemonConfiguration()
        configuration.port = 0
        configuration.secrets = [SecretReference(parsing: "whsec_x", label: nil)]
        configuration.store = "memory"
        configuration.admin.port = 0
        var auth = AdminAuthConfiguration()
        auth.token = ValueReference(parsing: "env:ADMIN_TOKEN")
        configuration.admin.auth = auth
        let logger = Logger(label: "t", level: .critical, sink: LogCaptureSink.discard)
        #expect(throws: ConfigurationError.self) { _ = try WebhookApplication(configuration: configuration, environment: [:], logger: logger) }
        #expect(throws: ConfigurationError.self) { _ = try WebhookApplication(configuration: configuration, environment: ["ADMIN_TOKEN": "short"], logger: logger) }
        let application = try WebhookApplication(configuration: configuration, environment: ["ADMIN_TOKEN": String(repeating: "k", count: 32)], logger: logger)
        application.shutdown()
    }

    @Test func hashPassword_printsAHashThatVerifies() throws {
        let out = LockedLines()
        let console = Console(out: { out.append($0) }, err: { _ in })
        let code = try HashPasswordCommand.run(["--iterations", "10000"], environment: [:], console: console, input: { "open sesame" })
        #expect(code == .success)
        let hash = try #require(PasswordHash(parsing: out.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(hash.iterations == 10_000 && hash.matches("open sesame") && !hash.matches("open sesame "))
        #expect(throws: ConfigurationError.self) { _ = try HashPasswordCommand.run([], environment: [:], console: console, input: { "" }) }
        #expect(throws: ConfigurationError.self) { _ = try HashPasswordCommand.run(["--iterations", "5"], environment: [:], console: console, input: { "x" }) }
    }
}

/// Lines a test console wrote, thread-safe.
final class LockedLines: @unchecked Sendable {
    // @unchecked: `lines` is guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return lines.joined() }
}
