import Foundation
import HTTP1
import WebhookSupport

/// A server on 127.0.0.1:0 with the echo responder and captured logs.
final class LiveServer {
    /// The server.
    let server: HTTPServer
    /// The port it bound.
    let port: Int
    /// Its log lines.
    let logs = LogCapture()

    /// Starts a server with `limits`, logging at debug to `logs` or, when given, to `sink`.
    init(limits: HTTPLimits = HTTPLimits(), responder: any HTTPResponder = EchoResponder(), loops: Int = 2, sink: LogSink? = nil) throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: loops, limits: limits)
        server = HTTPServer(configuration: configuration, responder: responder, logger: Logger(label: "test", level: .debug, sink: sink ?? logs.sink()))
        port = try server.start()
    }

    deinit { server.shutdown(gracePeriod: .seconds(1)) }

    /// A new client connection.
    func connect(timeout: Duration = .seconds(5)) throws -> TestClient {
        try TestClient(port: port, timeout: timeout)
    }

    /// Waits up to two seconds for `condition`.
    func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }
}

/// Small timeouts so the timer tests run fast.
func quickLimits() -> HTTPLimits {
    var limits = HTTPLimits()
    limits.headerReadTimeout = .milliseconds(300)
    limits.bodyReadTimeout = .milliseconds(300)
    limits.idleTimeout = .milliseconds(300)
    limits.responseTimeout = .milliseconds(300)
    limits.lingerTimeout = .milliseconds(300)
    return limits
}

/// A seedable generator (SplitMix64), so the garbage test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    /// The state.
    private var state: UInt64

    /// Starts from `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
