import Foundation
import Testing
@testable import HTTP1

/// One request of the smuggling and malformed-request corpus, as sent on the wire, with the answer it
/// must get and the rule that says so.
struct CorpusCase: CustomTestStringConvertible, Sendable {
    /// What the case tries.
    let name: String
    /// The bytes sent.
    let text: String
    /// The expected status.
    let status: Int
    /// The expected `{"error":…}` reason; nil for a request that must be served.
    let reason: HTTPProtocolError.Reason?
    /// The section of RFC 9112 (or RFC 9110) the answer follows.
    let rule: String
    var testDescription: String { "\(name) → \(status) (\(rule))" }

    /// A request that must be refused with `reason`'s status and `Connection: close`.
    static func refused(_ name: String, _ text: String, _ reason: HTTPProtocolError.Reason, _ status: Int, _ rule: String) -> CorpusCase {
        CorpusCase(name: name, text: text, status: status, reason: reason, rule: rule)
    }

    /// A request that looks odd but must be served, with the connection kept open.
    static func served(_ name: String, _ text: String, _ rule: String) -> CorpusCase {
        CorpusCase(name: name, text: text, status: 200, reason: nil, rule: rule)
    }
}

/// The request-smuggling and malformed-request corpus, each case sent over a real socket to a running
/// server: the status, `Connection: close`, the close itself, no response to anything sent after the bad
/// request (that is how a smuggled request would show), and a fresh connection served afterwards.
@Suite struct RequestSmugglingCorpusTests {
    /// A request that must never be answered: it rides behind each refused case, as a smuggled request would.
    static let smuggled = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"
    /// The chunked prefix many cases share.
    static let chunkedHead = "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"

    static let corpus: [CorpusCase] = [
        // Framing: Content-Length and Transfer-Encoding (RFC 9112 §6).
        .refused("Content-Length then Transfer-Encoding (CL.TE)",
                 "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
                 .contentLengthWithTransferEncoding, 400, "RFC 9112 §6.1, §6.3 ¶3, §11.2"),
        .refused("Transfer-Encoding then Content-Length (TE.CL)",
                 "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
                 .contentLengthWithTransferEncoding, 400, "RFC 9112 §6.1, §6.3 ¶3, §11.2"),
        .refused("gzip before chunked", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                 .unsupportedTransferCoding, 501, "RFC 9112 §6.1: an unknown coding gets 501"),
        .refused("unknown coding on a second line", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: x-custom\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 .unsupportedTransferCoding, 501, "RFC 9112 §6.1"),
        .refused("chunked not final", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                 .invalidTransferEncoding, 400, "RFC 9112 §6.3 ¶4"),
        .refused("identity", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: identity\r\n\r\n",
                 .invalidTransferEncoding, 400, "RFC 9112 §6.3 ¶4: chunked must be final"),
        .refused("chunked twice", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 .invalidTransferEncoding, 400, "RFC 9112 §7: chunked is applied once"),
        .refused("xchunked", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
                 .invalidTransferEncoding, 400, "RFC 9112 §6.3 ¶4"),
        .refused("Transfer-Encoding on HTTP/1.0", "POST /webhook HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 .invalidTransferEncoding, 400, "RFC 9112 §6.1: faulty framing in HTTP/1.0"),
        .refused("space before the colon of Transfer-Encoding", "POST /webhook HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc",
                 .badHeader, 400, "RFC 9112 §5.1"),
        .refused("two different Content-Length lines", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                 .conflictingContentLength, 400, "RFC 9112 §6.3 ¶5"),
        .refused("Content-Length list", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 4\r\n\r\nabcd",
                 .invalidContentLength, 400, "RFC 9112 §6.2, §6.3 ¶5"),
        .refused("signed Content-Length +3", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: +3\r\n\r\nabc",
                 .invalidContentLength, 400, "RFC 9112 §6.2: 1*DIGIT"),
        .refused("negative Content-Length", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
                 .invalidContentLength, 400, "RFC 9112 §6.2: 1*DIGIT"),
        .refused("spaced Content-Length 1 0", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 1 0\r\n\r\n0123456789",
                 .invalidContentLength, 400, "RFC 9112 §6.2: 1*DIGIT"),
        .refused("hexadecimal Content-Length", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 0x3\r\n\r\nabc",
                 .invalidContentLength, 400, "RFC 9112 §6.2: 1*DIGIT"),
        .refused("Content-Length past 2^63", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 18446744073709551619\r\n\r\nabc",
                 .invalidContentLength, 400, "RFC 9112 §6.3 ¶5: never wrapped"),
        .refused("Content-Length over the body limit", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n",
                 .bodyTooLarge, 413, "RFC 9110 §15.5.14: refused before the body is read"),

        // Field syntax (RFC 9112 §2.2, §5).
        .refused("obsolete line folding", "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: one\r\n two\r\n\r\n",
                 .obsoleteLineFolding, 400, "RFC 9112 §5.2"),
        .refused("whitespace before the first field", "GET / HTTP/1.1\r\n Host: t\r\n\r\n",
                 .obsoleteLineFolding, 400, "RFC 9112 §2.2"),
        .refused("bare CR inside a field value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\rContent-Length: 5\r\n\r\n",
                 .invalidLineEnding, 400, "RFC 9112 §2.2"),
        .refused("bare CR ending the request line", "GET / HTTP/1.1\rHost: t\r\n\r\n",
                 .invalidLineEnding, 400, "RFC 9112 §2.2"),
        .refused("bare LF line endings", "GET / HTTP/1.1\nHost: t\n\n",
                 .invalidLineEnding, 400, "RFC 9112 §2.2 (this server's choice: CRLF only)"),
        .refused("NUL in a field value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\u{0}b\r\n\r\n",
                 .badHeaderValue, 400, "RFC 9110 §5.5"),
        .refused("NUL in a field name", "GET / HTTP/1.1\r\nHost: t\r\nX\u{0}Y: a\r\n\r\n",
                 .badHeader, 400, "RFC 9112 §5.1: field-name is a token"),
        .refused("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: t\r\n\r\n",
                 .invalidRequestTarget, 400, "RFC 9112 §3.2"),
        .refused("space before the colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n",
                 .badHeader, 400, "RFC 9112 §5.1"),
        .refused("tab before the colon", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length\t: 3\r\n\r\nabc",
                 .badHeader, 400, "RFC 9112 §5.1"),

        // The chunked coding (RFC 9112 §7.1).
        .refused("chunk size not hexadecimal", chunkedHead + "zz\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400, "RFC 9112 §7.1"),
        .refused("negative chunk size", chunkedHead + "-5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400, "RFC 9112 §7.1"),
        .refused("space before chunk size", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400, "RFC 9112 §7.1"),
        .refused("0x-prefixed chunk size", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension, 400, "RFC 9112 §7.1, §7.1.1"),
        .refused("chunk size overflowing 64 bits", chunkedHead + "10000000000000005\r\nhello\r\n0\r\n\r\n",
                 .invalidChunkSize, 400, "RFC 9112 §7.1: never wrapped"),
        .refused("chunk size over the body limit", chunkedHead + "100001\r\nhello\r\n", .bodyTooLarge, 413, "RFC 9110 §15.5.14"),
        .refused("chunk longer than its size", chunkedHead + "3\r\nhello\r\n0\r\n\r\n", .invalidChunk, 400, "RFC 9112 §7.1"),
        .refused("bare LF after chunk data", chunkedHead + "5\r\nhello\n0\r\n\r\n", .invalidChunk, 400, "RFC 9112 §7.1"),
        .refused("one chunk extension over 4 KiB", chunkedHead + "5;x=\(String(repeating: "e", count: 4200))\r\nhello\r\n0\r\n\r\n",
                 .chunkExtensionsTooLarge, 400, "RFC 9112 §7.1.1: limit extensions like other parts"),
        .refused("many small chunk extensions over 4 KiB", chunkedHead + String(repeating: "1;e=xxxxxxxxxxxxxxxxxxxxxxxxxxx\r\na\r\n", count: 200) + "0\r\n\r\n",
                 .chunkExtensionsTooLarge, 400, "RFC 9112 §7.1.1"),
        .refused("malformed chunk extension", chunkedHead + "5;=x\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension, 400, "RFC 9112 §7.1.1"),
        .refused("trailer section over 8 KiB", chunkedHead + "0\r\nX-T: \(String(repeating: "t", count: 9000))\r\n\r\n",
                 .trailerTooLarge, 431, "RFC 9112 §7.1.2"),
        .refused("101 trailer lines", chunkedHead + "0\r\n" + (0...100).map { "X-\($0): v\r\n" }.joined() + "\r\n",
                 .trailerTooLarge, 431, "RFC 9112 §7.1.2"),

        // The request line and target (RFC 9112 §3).
        .refused("absolute-form with another scheme", "GET ftp://t/webhook HTTP/1.1\r\nHost: t\r\n\r\n",
                 .invalidRequestTarget, 400, "RFC 9112 §3.2.2"),
        .refused("absolute-form without authority", "GET http:///webhook HTTP/1.1\r\nHost: t\r\n\r\n",
                 .invalidRequestTarget, 400, "RFC 9112 §3.2.2"),
        .refused("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: t\r\n\r\n",
                 .invalidRequestTarget, 400, "RFC 9112 §3.2.4: OPTIONS only"),
        .refused("authority-form (CONNECT)", "CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n",
                 .unsupportedMethod, 501, "RFC 9112 §3.2.3: no tunnels here"),
        .refused("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost, 400, "RFC 9112 §3.2"),
        .refused("two Host lines", "GET / HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n", .duplicateHost, 400, "RFC 9112 §3.2"),
        .refused("Host with a path", "GET / HTTP/1.1\r\nHost: t/x\r\n\r\n", .invalidHost, 400, "RFC 9112 §3.2"),
        .refused("HTTP/0.9 request", "GET /\r\n", .invalidRequestLine, 400, "RFC 9112 §2.3, Appendix C.1: no HTTP/0.9"),
        .refused("HTTP/2.0 in HTTP/1 syntax", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", .unsupportedVersion, 505, "RFC 9112 §2.3, RFC 9110 §15.6.6"),
        .refused("double space in the request line", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", .invalidRequestLine, 400, "RFC 9112 §3"),
        .refused("request line over 8 KiB", "GET /\(String(repeating: "a", count: 8300)) HTTP/1.1\r\nHost: t\r\n\r\n",
                 .requestLineTooLong, 414, "RFC 9112 §3"),
        .refused("header section over 32 KiB", "GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X-Pad: \(String(repeating: "p", count: 1000))\r\n", count: 33) + "\r\n",
                 .headerTooLarge, 431, "RFC 9110 §5.4, RFC 6585 §5"),
        .refused("one field line over 32 KiB", "GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 33000))\r\n\r\n",
                 .headerTooLarge, 431, "RFC 9110 §5.4, RFC 6585 §5"),
        .refused("101 header lines", "GET / HTTP/1.1\r\nHost: t\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n",
                 .tooManyHeaders, 431, "RFC 9110 §5.4, RFC 6585 §5"),

        // Odd but valid: served, connection kept.
        .served("absolute-form target", "GET http://t/webhook?x=1 HTTP/1.1\r\nHost: t\r\n\r\n", "RFC 9112 §3.2.2: a server MUST accept it"),
        .served("asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", "RFC 9112 §3.2.4"),
        .served("identical Content-Length lines", "POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                "RFC 9110 §8.6: identical repeats may be accepted"),
        .served("chunk extensions and trailers within limits", chunkedHead + "3;a=b;c=\"d\"\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n",
                "RFC 9112 §7.1.1, §7.1.2"),
    ]

    @Test(arguments: corpus)
    func corpusCase_getsItsStatusAndTheServerKeepsServing(_ row: CorpusCase) throws {
        let live = try LiveServer(loops: 1)
        try Self.check(row, on: live)
    }

    /// The whole corpus in a row against one server, then an ordinary request: nothing leaked, nothing stuck.
    @Test func wholeCorpus_againstOneServer_leavesItServingWithNoConnectionLeft() throws {
        let live = try LiveServer()
        for row in Self.corpus { try Self.check(row, on: live) }
        let client = try live.connect()
        try client.send("POST /after HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
        let response = try client.readResponse()
        #expect(response.status == 200 && response.text == "ok")
        client.close()
        #expect(live.eventually { live.server.openConnectionCount == 0 })
    }

    /// Sends `row` on a new connection and checks the answer, the close and a fresh connection after it.
    static func check(_ row: CorpusCase, on live: LiveServer) throws {
        let client = try live.connect()
        // The server may refuse before reading everything; the response must arrive all the same.
        try? client.send(row.text + smuggled)
        let response = try client.readResponse()
        #expect(response.status == row.status, "\(row.name)")
        if let reason = row.reason {
            #expect(response.text == #"{"error":"\#(reason.rawValue)"}"#, "\(row.name)")
            #expect(response.header("Connection") == "close", "\(row.name)")
            // Nothing more: no answer to the request that rode behind (a smuggled request would get one).
            #expect(client.isClosedByServer(), "\(row.name): the connection stayed open or answered again")
        } else {
            #expect(response.header("Connection") == nil, "\(row.name)")
            let next = try client.readResponse()
            #expect(next.status == 200 && next.header("X-Path") == "/smuggled", "\(row.name): the next request was not served")
        }
        let fresh = try live.connect()
        try fresh.send("GET /fresh HTTP/1.1\r\nHost: t\r\n\r\n")
        let served = try fresh.readResponse()
        #expect(served.status == 200 && served.header("X-Path") == "/fresh", "\(row.name): not served afterwards")
    }
}
