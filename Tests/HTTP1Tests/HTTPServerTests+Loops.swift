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
        let capture = LogCapture()
        let responder = LoggingResponder(logger: Logger(label: "app", sink: capture.sink()))
        let live = try LiveServer(responder: responder, loops: 2)
        let clients = try (0..<4).map { _ in try live.connect() }
        for round in 0..<3 {
            // Several connections and pipelined requests, so one loop pass answers many at once.
            for client in clients {
                try client.send(String(repeating: "GET /r\(round) HTTP/1.1\r\nHost: t\r\n\r\n", count: 3))
            }
            for client in clients {
                for _ in 0..<3 {
                    let response = try client.readResponse()
                    let id = try #require(response.header("X-Request-ID"))
                    // Read the log only now: the line must be there the moment the answer is.
                    #expect(capture.lines.contains { $0.hasSuffix("app: answered request.id=\(id)\n") }, "no line for \(id) when its response arrived")
                }
            }
        }
        #expect(capture.lines.count == 4 * 3 * 3)
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
