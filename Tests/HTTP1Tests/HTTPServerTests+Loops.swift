import Foundation
import Testing
import WebhookSupport
@testable import HTTP1

/// How the event loops share connections, and when the lines logged while answering are written.
extension HTTPServerTests {
    /// The loop that served a request, from its id (`<server prefix><loop index>-<count>`).
    private func loopIndex(_ requestID: String?) -> Character? {
        guard let requestID, let dash = requestID.firstIndex(of: "-"), dash > requestID.startIndex else { return nil }
        return requestID[requestID.index(before: dash)]
    }

    @Test func connectionsOpenedTogether_areSpreadOverTheLoops() throws {
        let live = try LiveServer(loops: 2)
        // Opened back to back, so one loop's accept batch could take them all.
        let clients = try (0..<8).map { _ in try live.connect() }
        var perLoop: [Character: Int] = [:]
        for client in clients {
            try client.send("GET /which HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            perLoop[loopIndex(response.header("X-Request-ID")) ?? "?", default: 0] += 1
        }
        #expect(perLoop.count == 2, "every connection was served by one loop: \(perLoop)")
        #expect(perLoop.values.allSatisfy { $0 >= 3 }, "uneven: \(perLoop)")
        #expect(live.server.openConnectionCount == 8)
        for client in clients { client.close() }
        #expect(live.eventually { live.server.openConnectionCount == 0 })
    }

    @Test func linesLoggedWhileAnswering_areWrittenBeforeTheResponseIsSent() throws {
        // The sink looks at the client's socket when each line is written: on loopback a response is in
        // the client's receive queue as soon as the server's send returns, so finding bytes there means
        // the line came after its response. The client reads only after a pause, so a line written even
        // just after the send would see them.
        let client = LockedValue<Int32>(-1)
        let written = LockedValue<[(line: String, responseAlreadySent: Bool)]>([])
        let sink = LogSink(format: .text) { line in
            var byte: UInt8 = 0
            let peeked = recv(client.withLock { $0 }, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            written.withLock { $0.append((line, peeked > 0)) }
        }
        // The server's own lines (`request answered`, at debug) go to the same sink and are checked too.
        let live = try LiveServer(responder: LoggingResponder(logger: Logger(label: "app", sink: sink)), loops: 2, sink: sink)
        let connection = try live.connect()
        client.withLock { $0 = connection.descriptor }
        for round in 0..<3 {
            // Two pipelined requests: one pass answers both.
            try connection.send(String(repeating: "GET /r\(round) HTTP/1.1\r\nHost: t\r\n\r\n", count: 2))
            Thread.sleep(forTimeInterval: 0.05)
            for _ in 0..<2 { #expect(try connection.readResponse().status == 200) }
        }
        let lines = written.withLock { $0 }
        #expect(lines.filter { $0.line.contains("app: answered") }.count == 6)
        for entry in lines { #expect(!entry.responseAlreadySent, "written after its response: \(entry.line)") }
    }
}

/// Echoes, after logging one line per request from the loop thread, as the webhook responder does.
private struct LoggingResponder: HTTPResponder {
    /// Where the lines go.
    let logger: Logger

    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        logger.info("answered", metadata: ["request.id": context.requestID])
        EchoResponder().respond(to: request, context: context, completion: completion)
    }
}
