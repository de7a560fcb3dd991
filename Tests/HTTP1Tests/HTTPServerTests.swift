import Foundation
import Testing
import WebhookSupport
@testable import HTTP1

/// A server on 127.0.0.1:0 with the echo responder and captured logs.
final class LiveServer {
    /// The server.
    let server: HTTPServer
    /// The port it bound.
    let port: Int
    /// Its log lines.
    let logs = LogCapture()

    /// Starts a server with `limits`.
    init(limits: HTTPLimits = HTTPLimits(), responder: any HTTPResponder = EchoResponder(), loops: Int = 2) throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: loops, limits: limits)
        server = HTTPServer(configuration: configuration, responder: responder, logger: Logger(label: "test", level: .debug, sink: logs.sink()))
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

@Suite(.serialized) struct HTTPServerTests {
    @Test func keepAlive_servesAThousandRequestsOnOneConnection() throws {
        let live = try LiveServer()
        let client = try live.connect()
        var ids = Set<String>()
        for index in 0..<1000 {
            try client.send("POST /echo?n=\(index) HTTP/1.1\r\nHost: t\r\nContent-Length: \(String(index).utf8.count)\r\n\r\n\(index)")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == String(index))
            #expect(response.header("X-Query") == "n=\(index)")
            #expect(response.header("Connection") == nil)
            ids.insert(response.header("X-Request-ID") ?? "")
        }
        #expect(ids.count == 1000)
        #expect(ids.allSatisfy { $0.utf8.count <= 15 })
        #expect(live.server.openConnectionCount == 1)
    }

    @Test func pipelinedBurst_isAnsweredInOrder() throws {
        let live = try LiveServer()
        let client = try live.connect()
        let paths = ["/a", "/slow", "/b", "/later", "/c", "/slow", "/d"]
        let burst = paths.enumerated().map { index, path in
            "GET \(path)?ms=\(50 - index * 5) HTTP/1.1\r\nHost: t\r\nX-N: \(index)\r\n\r\n"
        }.joined()
        try client.send(burst)
        for path in paths {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("X-Path") == path)
        }
    }

    @Test func chunkedUpload_isDecoded() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try client.send("5;ext=1\r\nhello\r\n")
        try client.send("7\r\n, world\r\n0\r\nX-Trailer: x\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello, world")
        #expect(response.header("Content-Length") == "12")
        #expect(response.header("Transfer-Encoding") == nil)
    }

    @Test func expectContinue_invitesTheBodyThenAnswers() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(try client.readLine() == "HTTP/1.1 100 Continue")
        #expect(try client.readLine() == "")
        try client.send("body")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "body")
    }

    @Test func expectContinue_withOversizedLength_gets413WithoutContinue() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text == #"{"error":"body_too_large"}"#)
    }

    @Test func http10_closesUnlessKeepAliveIsAsked() throws {
        let live = try LiveServer()
        let plain = try live.connect()
        try plain.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try plain.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(plain.isClosedByServer())

        let persistent = try live.connect()
        for _ in 0..<3 {
            try persistent.send("GET /old HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            let kept = try persistent.readResponse()
            #expect(kept.status == 200)
            #expect(kept.header("Connection") == "keep-alive")
            #expect(kept.header("X-Version") == "HTTP/1.0")
        }
    }

    @Test func connectionClose_isHonouredFromClientAndResponder() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.isClosedByServer())

        let other = try live.connect()
        try other.send("GET /close HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try other.readResponse().header("Connection") == "close")
        #expect(other.isClosedByServer())
    }

    @Test func oversizedContentLength_gets413BeforeTheBodyIsSent() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.header("Connection") == "close")
        #expect(response.header("Content-Type") == "application/json")
        #expect(client.isClosedByServer())
    }

    @Test func malformedRequest_gets400JSONThenClose() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(response.text == #"{"error":"content_length_with_transfer_encoding"}"#)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Connection") == "close")
        #expect(client.isClosedByServer())
        #expect(live.eventually { live.logs.text.contains("error.reason=content_length_with_transfer_encoding") })
        #expect(live.logs.text.contains("request.id="))
        #expect(live.logs.text.contains("client.address=127.0.0.1:"))
    }

    @Test func unsupportedVersion_gets505() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("GET / HTTP/2.0\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 505)
        #expect(response.text == #"{"error":"unsupported_version"}"#)
    }

    @Test func stalledHeader_gets408ThenClose() throws {
        let live = try LiveServer(limits: quickLimits())
        let client = try live.connect()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n")
        let started = ContinuousClock.now
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.text == #"{"error":"request_timeout"}"#)
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        #expect(client.isClosedByServer())
    }

    @Test func stalledBody_gets408() throws {
        let live = try LiveServer(limits: quickLimits())
        let client = try live.connect()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.text == #"{"error":"body_timeout"}"#)
    }

    @Test func idleKeepAlive_closesSilently() throws {
        let live = try LiveServer(limits: quickLimits())
        let client = try live.connect()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(client.isClosedByServer())
        #expect(live.eventually { live.server.openConnectionCount == 0 })
    }

    @Test func responderCompletingLaterFromAnotherThread_isAnswered() throws {
        let live = try LiveServer()
        let client = try live.connect()
        for path in ["/later", "/slow?ms=50", "/twice", "/later"] {
            try client.send("POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ok")
        }
    }

    @Test func responderThatNeverCompletes_gets503AfterResponseTimeout() throws {
        let live = try LiveServer(limits: quickLimits())
        let client = try live.connect()
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.text == #"{"error":"response_timeout"}"#)
        #expect(response.header("Connection") == "close")
    }

    @Test func headRequest_getsLengthWithoutBody() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("HEAD / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(headRequest: true)
        #expect(head.header("Content-Length") == "3")
        let next = try client.readResponse()
        #expect(next.header("X-Method") == "GET")
    }

    @Test func responseSplittingHeader_isDropped() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("GET /split HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("X-Injected") == nil)
        #expect(response.header("Set-Cookie") == nil)
    }

    @Test func maxRequestsPerConnection_closesAfterTheLast() throws {
        var limits = HTTPLimits()
        limits.maxRequestsPerConnection = 3
        let live = try LiveServer(limits: limits)
        let client = try live.connect()
        for index in 1...3 {
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().header("Connection") == (index == 3 ? "close" : nil))
        }
        #expect(client.isClosedByServer())
    }

    @Test func connectionCap_refusesTheExtraConnectionWith503() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        let live = try LiveServer(limits: limits)
        let first = try live.connect()
        let second = try live.connect()
        for client in [first, second] {
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let third = try live.connect()
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.text == #"{"error":"too_many_connections"}"#)
        #expect(refused.header("Connection") == "close")
        #expect(live.server.openConnectionCount == 2)
        try first.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        _ = try first.readResponse()
        #expect(first.isClosedByServer())
        first.close()
        #expect(live.eventually { live.server.openConnectionCount == 1 })
        let fourth = try live.connect()
        try fourth.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try fourth.readResponse().status == 200)
    }

    @Test func largeResponse_toASlowReader_isWrittenWhole() throws {
        let live = try LiveServer()
        let client = try live.connect()
        let body = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        Thread.sleep(forTimeInterval: 0.2)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.body == body)
    }

    @Test func shutdown_letsTheSlowRequestInFlightFinish() throws {
        let live = try LiveServer()
        let busy = try live.connect()
        let idle = try live.connect()
        try idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try idle.readResponse()
        try busy.send("GET /slow?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let started = ContinuousClock.now
        let finished = DispatchSemaphore(value: 0)
        Thread { [server = live.server] in
            server.shutdown(gracePeriod: .seconds(5))
            finished.signal()
        }.start()
        // The idle keep-alive connection closes at once; the busy one gets its answer, then is closed.
        #expect(idle.isClosedByServer())
        #expect(ContinuousClock.now - started < .milliseconds(300))
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(busy.isClosedByServer())
        busy.close()
        #expect(finished.wait(timeout: .now() + 3) == .success)
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(300) && took < .seconds(2))
        #expect(live.server.openConnectionCount == 0)
        #expect(throws: (any Error).self) { _ = try live.connect() }
    }

    @Test func shutdown_closesWhatIsLeftWhenTheGracePeriodEnds() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let started = ContinuousClock.now
        live.server.shutdown(gracePeriod: .milliseconds(200))
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(150) && took < .seconds(2))
        #expect(client.isClosedByServer())
        #expect(live.server.openConnectionCount == 0)
    }

    @Test func garbageBytes_neverCrashTheServer() throws {
        let live = try LiveServer(limits: quickLimits())
        var random = SplitMix64(seed: 0x5EED_F00D)
        let prefixes = ["", "GET / HTTP/1.1\r\n", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n"]
        for round in 0..<200 {
            let client = try live.connect(timeout: .seconds(2))
            let length = Int(random.next() % 2048) + 1
            let garbage = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            try? client.send(Array(prefixes[round % prefixes.count].utf8) + garbage)
            client.shutdownWrite()
            // Whatever comes back must be a well-formed response or nothing.
            if let bytes = try? client.readToEnd(), !bytes.isEmpty {
                #expect(bytes.starts(with: Array("HTTP/1.1 ".utf8)))
            }
        }
        let client = try live.connect()
        try client.send("GET /after HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().header("X-Path") == "/after")
        #expect(live.eventually { live.server.openConnectionCount == 1 })
    }

    @Test func startTwice_fails() throws {
        let live = try LiveServer()
        #expect(throws: SystemCallError.self) { try live.server.start() }
    }

    @Test func nonNumericHost_failsToStart() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "not-an-address", port: 0, eventLoopCount: 1),
            responder: EchoResponder(), logger: Logger(label: "test", sink: LogCapture().sink())
        )
        #expect(throws: SystemCallError.self) { try server.start() }
    }
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
