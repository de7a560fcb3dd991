import Foundation
import Testing
@testable import HTTP1

/// The server against a real client on 127.0.0.1: framing, persistence, pipelining, responders.
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
}
