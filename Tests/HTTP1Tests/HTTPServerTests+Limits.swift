import Foundation
import Testing
@testable import HTTP1

/// Limits, timeouts and hostile input, each answered with its status.
extension HTTPServerTests {
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

    @Test func responderThatNeverCompletes_gets503AfterResponseTimeout() throws {
        let live = try LiveServer(limits: quickLimits())
        let client = try live.connect()
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.text == #"{"error":"response_timeout"}"#)
        #expect(response.header("Connection") == "close")
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
}
