import Foundation
import StripeWebhooks
import WebhookDaemon
import WebhookSupport

/// Paths and helpers shared by the daemon's tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled samples' directory (the same files `trigger` embeds).
    static let samplesDirectory = packageRoot.appendingPathComponent("Sources/WebhookDaemon/Samples")

    /// One sample's exact bytes.
    static func sample(_ type: String) throws -> [UInt8] {
        Array(try Data(contentsOf: samplesDirectory.appendingPathComponent("\(type).json")))
    }

    /// Every sample type, from the files on disk.
    static func sampleTypes() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samplesDirectory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("webhookd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A `Stripe-Signature` value for `body`, timestamped now.
    static func sign(_ body: [UInt8], secret: String, at timestamp: Int64 = Int64(Date().timeIntervalSince1970)) -> String {
        SignatureHeader.generate(payload: body, secret: WebhookSecret(secret), timestamp: timestamp)
    }

    /// Waits until `condition` holds, up to `seconds`; returns whether it did.
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// The built `stripe-webhookd` binary, next to the test bundle.
    static var binary: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent("stripe-webhookd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/stripe-webhookd")
    }
}

/// A daemon running in this process on an ephemeral port, with its log captured.
final class RunningDaemon: @unchecked Sendable {
    // @unchecked: every stored property is a constant; LogCapture and WebhookApplication are thread-safe.
    let application: WebhookApplication
    let port: Int
    let log = LogCapture()
    let secret = "whsec_test_\(UUID().uuidString.prefix(8))"
    let directory: URL

    init(store: String? = nil, configure: (inout DaemonConfiguration) -> Void = { _ in }) throws {
        directory = try TestSupport.temporaryDirectory()
        var configuration = DaemonConfiguration()
        configuration.port = 0
        configuration.secrets = [SecretReference(parsing: secret, label: "test")]
        configuration.store = store ?? "sqlite:\(directory.appendingPathComponent("events.sqlite").path)"
        configuration.eventLoops = 2
        configuration.workers = 2
        configuration.shutdownGraceSeconds = 2
        configure(&configuration)
        let logger = Logger(label: "webhookd", level: .debug, sink: log.sink())
        application = try WebhookApplication(configuration: configuration, environment: [:], logger: logger)
        port = try application.start()
    }

    /// Posts one signed event on a new connection and returns the response.
    func post(_ body: [UInt8], signature: String? = nil, path: String = "/webhook") throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        try client.send(TestHTTPClient.webhookRequest(path: path, body: body, signature: signature ?? TestSupport.sign(body, secret: secret)))
        guard let response = try client.readResponse() else { throw TestHTTPClient.ClientError(description: "no response") }
        return response
    }

    /// Log lines that contain every one of `fragments`.
    func lines(containing fragments: String...) -> [String] {
        log.lines.filter { line in fragments.allSatisfy { line.contains($0) } }
    }

    func stop() {
        application.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}
