import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `scripts/fake-stripe-api.py` running as a child process on a loopback port the tests read back,
/// driven through its `/_fake/…` control endpoints. Shared by the StripeAPI and WebhookDaemon tests.
public final class FakeStripeAPI: @unchecked Sendable {
    // @unchecked: constants only; Process is used from one test at a time.
    /// The key the fake accepts with every permission.
    public let key: String
    /// `http://127.0.0.1:PORT`.
    public let baseURL: String
    private let process = Process()

    /// The package root, found from this file's path.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts the fake and waits until it listens.
    public init(key: String = "sk_test_fake_\(UUID().uuidString.prefix(8))") throws {
        self.key = key
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python, Self.packageRoot.appendingPathComponent("scripts/fake-stripe-api.py").path, "--key", key, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "listening on http://127.0.0.1:PORT".
        var text = ""
        let deadline = Date(timeIntervalSinceNow: 30)
        while !text.contains("\n"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let match = text.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:\d+)/) else {
            process.terminate()
            throw FakeError(description: "the fake Stripe API did not start: \(text)")
        }
        baseURL = String(match.1)
    }

    deinit { stop() }

    /// The interpreter that runs the fake (standard library only): `STRIPE_WEBHOOKD_PYTHON` (set by
    /// scripts/test.sh), else `python3` from `PATH`.
    private static var python: String {
        let configured = ProcessInfo.processInfo.environment["STRIPE_WEBHOOKD_PYTHON"] ?? ""
        return configured.isEmpty ? "python3" : configured
    }

    /// Stops the fake: SIGTERM, then SIGKILL if it is still there after five seconds.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date(timeIntervalSinceNow: 5)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Adds events made from the samples: each spec like `["sample": "invoice.paid", "created": 100]`.
    @discardableResult
    public func addEvents(_ specs: [[String: Any]]) throws -> [String] {
        let answer = try post("/_fake/events", specs)
        guard let events = answer as? [[String: Any]] else { throw FakeError(description: "unexpected answer \(answer)") }
        return events.compactMap { $0["id"] as? String }
    }

    /// Adds events like `addEvents` and returns each one's id and JSON body, to deliver it as Stripe would.
    public func addEventBodies(_ specs: [[String: Any]]) throws -> [(id: String, body: [UInt8])] {
        let answer = try post("/_fake/events", specs)
        guard let events = answer as? [[String: Any]] else { throw FakeError(description: "unexpected answer \(answer)") }
        return try events.map { ($0["id"] as? String ?? "", Array(try JSONSerialization.data(withJSONObject: $0))) }
    }

    /// Creates or changes a webhook endpoint.
    public func setEndpoint(_ fields: [String: Any]) throws { _ = try post("/_fake/endpoint", fields) }

    /// Adds a restricted key with only `permissions`.
    public func addRestrictedKey(_ key: String, permissions: [String]) throws { _ = try post("/_fake/keys", ["key": key, "permissions": permissions]) }

    /// Makes the next `count` API requests fail (or answer slowly) as described.
    public func addFault(_ fault: [String: Any]) throws { _ = try post("/_fake/faults", fault) }

    /// Every API request the fake saw.
    public func requests() throws -> [[String: Any]] {
        let data = try send(URLRequest(url: URL(string: baseURL + "/_fake/requests")!))
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    /// POSTs JSON to a control endpoint and returns the decoded answer.
    public func post(_ path: String, _ body: Any) throws -> Any {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        return try JSONSerialization.jsonObject(with: try send(request))
    }

    private func send(_ request: URLRequest) throws -> Data {
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            result.set(data, error)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 30) == .success, let data = result.data else {
            throw FakeError(description: "control request \(request.url?.path ?? "") failed: \(result.error.map { "\($0)" } ?? "timeout")")
        }
        return data
    }

    /// A failure talking to the fake.
    public struct FakeError: Error, CustomStringConvertible {
        /// What happened.
        public var description: String
    }

    /// The answer of one control request.
    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var storedData: Data?
        private var storedError: (any Error)?

        func set(_ data: Data?, _ error: (any Error)?) { lock.lock(); storedData = data; storedError = error; lock.unlock() }
        var data: Data? { lock.lock(); defer { lock.unlock() }; return storedData }
        var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return storedError }
    }
}
