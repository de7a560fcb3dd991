import Foundation
import Testing
import WebhookSupport
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// A port another daemon holds: the second daemon refuses to start (exit 1, "address already in use",
/// the address and what to do) instead of sharing the port and part of the traffic.
@Suite(.serialized)
struct BusyPortTests {
    /// The environment a child daemon gets: its secret, and sanitizer settings passed through.
    static func environment(secret: String) -> [String: String] {
        ["STRIPE_WEBHOOK_SECRET": secret].merging(ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }) { a, _ in a }
    }

    @Test func secondDaemonOnTheWebhookPort_exitsOneNamingTheAddress() throws {
        let first = try DaemonProcess(["--store", "memory"], environment: Self.environment(secret: "whsec_first"))
        defer { first.stop() }
        let second = try CommandLineTests.run(
            ["serve", "--store", "memory", "--port", String(first.port), "--log-format", "text"],
            environment: Self.environment(secret: "whsec_second"))
        #expect(second.status == 1)
        #expect(second.err.contains("address already in use"), "\(second.err)")
        #expect(second.err.contains("127.0.0.1:\(first.port)"))
        #expect(second.err.contains("--port"))
        // The first daemon still answers every request itself: nothing of the second is listening.
        let body = TestSupport.event("payment_intent.succeeded", object: ["id": "pi_busy_port"])
        for _ in 0..<8 {
            let client = try TestHTTPClient(port: first.port)
            try client.send(TestHTTPClient.webhookRequest(path: "/webhook", body: body, signature: TestSupport.sign(body, secret: "whsec_first")))
            #expect(try client.readResponse()?.status == 200)
        }
    }

    @Test func secondDaemonOnTheAdminPort_exitsOneNamingTheAdminListener() throws {
        let first = try DaemonProcess(["--store", "memory", "--admin-port", "0"], environment: Self.environment(secret: "whsec_first"))
        defer { first.stop() }
        #expect(TestSupport.eventually { first.log.text.contains("admin listener on http://127.0.0.1:") })
        let adminPort = try #require(first.log.text.firstMatch(of: /admin listener on http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) })
        let second = try CommandLineTests.run(
            ["serve", "--store", "memory", "--port", "0", "--admin-port", String(adminPort), "--log-format", "text"],
            environment: Self.environment(secret: "whsec_second"))
        #expect(second.status == 1)
        #expect(second.err.contains("address already in use"), "\(second.err)")
        #expect(second.err.contains("127.0.0.1:\(adminPort) (admin listener)"))
        #expect(second.err.contains("--admin-port"))
    }

    @Test func secondApplicationInProcess_throwsAListenerErrorNamingTheAddress() throws {
        let first = try RunningDaemon()
        defer { first.stop() }
        var configuration = DaemonConfiguration()
        configuration.port = first.port
        configuration.secrets = [SecretReference(parsing: "whsec_second", label: "second")]
        configuration.store = "memory"
        let log = LogCapture()
        let second = try WebhookApplication(configuration: configuration, environment: [:], logger: Logger(label: "second", level: .debug, sink: log.sink()))
        defer { second.shutdown() }
        let error = #expect(throws: ListenerError.self) { try second.start() }
        #expect(error?.isAddressInUse == true)
        #expect(error?.listener == .webhook)
        #expect(error?.description.contains("127.0.0.1:\(first.port)") == true)
    }
}
