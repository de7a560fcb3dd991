import Testing
@testable import HTTP1

/// Decodes every request in `text`, fed at once.
func decodeAll(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPProtocolError) -> [HTTPRequest] {
    var decoder = HTTPRequestDecoder(limits: limits)
    decoder.append(contentsOf: text.utf8)
    var requests: [HTTPRequest] = []
    while let request = try decoder.nextRequest() { requests.append(request) }
    return requests
}

/// The error decoding `text` throws, or nil when it decodes.
func decodingError(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPProtocolError? {
    do {
        _ = try decodeAll(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// One malformed or over-limit request and the status and reason it must get.
struct RejectedRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let reason: HTTPProtocolError.Reason
    let status: Int
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ reason: HTTPProtocolError.Reason, _ status: Int) {
        self.name = name
        self.text = text
        self.reason = reason
        self.status = status
    }
}

/// One well-formed request and what it must decode to.
struct AcceptedRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let method: String
    let path: String
    let query: String?
    let body: String
    var testDescription: String { name }

    init(_ name: String, _ text: String, method: String = "POST", path: String = "/", query: String? = nil, body: String = "") {
        self.name = name
        self.text = text
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }
}

@Suite struct HTTPRequestDecoderTests {
    static let rejected: [RejectedRequest] = [
        .init("Content-Length with Transfer-Encoding",
              "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
              .contentLengthWithTransferEncoding, 400),
        .init("conflicting Content-Length lines",
              "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", .conflictingContentLength, 400),
        .init("Content-Length -1", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength, 400),
        .init("Content-Length +5", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", .invalidContentLength, 400),
        .init("Content-Length list 5, 5", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", .invalidContentLength, 400),
        .init("Content-Length with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", .invalidContentLength, 400),
        .init("Content-Length empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", .invalidContentLength, 400),
        .init("Content-Length hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", .invalidContentLength, 400),
        .init("Content-Length overflowing Int", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
              .invalidContentLength, 400),
        .init("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", .obsoleteLineFolding, 400),
        .init("whitespace before the first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", .obsoleteLineFolding, 400),
        .init("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .badHeader, 400),
        .init("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .badHeader, 400),
        .init("field without colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", .badHeader, 400),
        .init("empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: value\r\n\r\n", .badHeader, 400),
        .init("non-token field name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n", .badHeader, 400),
        .init("bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", .invalidLineEnding, 400),
        .init("bare CR in field value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", .invalidLineEnding, 400),
        .init("bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n", .invalidLineEnding, 400),
        .init("bare LF after a field", "GET / HTTP/1.1\r\nHost: a\n\r\n", .invalidLineEnding, 400),
        .init("NUL in field value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", .badHeaderValue, 400),
        .init("DEL in field value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", .badHeaderValue, 400),
        .init("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost, 400),
        .init("two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost, 400),
        .init("two Host lines on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .duplicateHost, 400),
        .init("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
        .init("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
        .init("HTTP/0.9 with a version", "GET / HTTP/0.9\r\n\r\n", .unsupportedVersion, 505),
        .init("HTTP/0.9 style without a version", "GET /\r\n\r\n", .invalidRequestLine, 400),
        .init("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
        .init("two-digit version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
        .init("double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
        .init("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
        .init("space inside target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
        .init("non-token method", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine, 400),
        .init("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost, 400),
        .init("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .invalidHost, 400),
        .init("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", .invalidHost, 400),
        .init("angle bracket in target", "GET /a<b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("quote in target", "GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("non-ASCII in target", "GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("bad percent escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("cut percent escape", "GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("control byte in target", "GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("asterisk with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("absolute-form without authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestTarget, 400),
        .init("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", .unsupportedMethod, 501),
        .init("unknown coding before chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
              .unsupportedTransferCoding, 501),
        .init("unknown coding on its own line", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n",
              .unsupportedTransferCoding, 501),
        .init("chunked not final", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .invalidTransferEncoding, 400),
        .init("gzip alone", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", .invalidTransferEncoding, 400),
        .init("identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", .invalidTransferEncoding, 400),
        .init("chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .invalidTransferEncoding, 400),
        .init("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", .invalidTransferEncoding, 400),
        .init("chunked with a parameter", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", .invalidTransferEncoding, 400),
        .init("Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .invalidTransferEncoding, 400),
        .init("chunk size overflowing 64 bits", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
              .invalidChunkSize, 400),
        .init("chunk size not hex", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize, 400),
        .init("negative chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .invalidChunkSize, 400),
        .init("space after chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
              .invalidChunkExtension, 400),
        .init("chunk extension without name", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;=x\r\nhello\r\n0\r\n\r\n",
              .invalidChunkExtension, 400),
        .init("unterminated quoted extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n0\r\n\r\n",
              .invalidChunkExtension, 400),
        .init("chunk data longer than its size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
              .invalidChunk, 400),
        .init("bare LF after chunk data", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
              .invalidChunk, 400),
        .init("bare LF after chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
              .invalidLineEnding, 400),
        .init("obs-fold in trailer", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n",
              .obsoleteLineFolding, 400),
        .init("unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
        .init("request line over 8 KiB", "GET /\(String(repeating: "a", count: 8200)) HTTP/1.1\r\nHost: a\r\n\r\n", .requestLineTooLong, 414),
        .init("endless request line", "GET /\(String(repeating: "a", count: 9000))", .requestLineTooLong, 414),
        .init("101 header lines",
              "GET / HTTP/1.1\r\nHost: a\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n", .tooManyHeaders, 431),
        .init("header section over 32 KiB", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 33000))\r\n\r\n",
              .headerTooLarge, 431),
        .init("endless header line", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 33000))", .headerTooLarge, 431),
        .init("Content-Length over 1 MiB", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", .bodyTooLarge, 413),
        .init("huge Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", .bodyTooLarge, 413),
        .init("chunk over 1 MiB", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", .bodyTooLarge, 413),
        .init("chunk extensions over 4 KiB",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;x=\(String(repeating: "e", count: 5000))\r\na\r\n0\r\n\r\n",
              .chunkExtensionsTooLarge, 400),
        .init("trailer section over 8 KiB",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: \(String(repeating: "t", count: 9000))\r\n\r\n",
              .trailerTooLarge, 431),
    ]

    @Test(arguments: rejected)
    func malformedRequest_isRejectedWithItsStatus(_ row: RejectedRequest) {
        let error = decodingError(row.text)
        #expect(error?.reason == row.reason)
        #expect(error?.status.code == row.status)
    }

    @Test(arguments: rejected)
    func malformedRequest_isRejectedAlsoWhenFedByteByByte(_ row: RejectedRequest) {
        var decoder = HTTPRequestDecoder()
        var caught: HTTPProtocolError?
        for byte in row.text.utf8 where caught == nil {
            decoder.append(contentsOf: [byte])
            do { _ = try decoder.nextRequest() } catch { caught = error }
        }
        #expect(caught?.reason == row.reason)
    }

    static let accepted: [AcceptedRequest] = [
        .init("simple GET", "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", method: "GET", path: "/health"),
        .init("GET with query", "GET /events?limit=10&type=a HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", path: "/events", query: "limit=10&type=a"),
        .init("empty query", "GET /x? HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", path: "/x", query: ""),
        .init("POST with Content-Length", "POST /webhook HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", path: "/webhook", body: "hello"),
        .init("POST without length has an empty body", "POST /webhook HTTP/1.1\r\nHost: a\r\n\r\n", path: "/webhook"),
        .init("Content-Length with OWS", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 5 \t\r\n\r\nhello", body: "hello"),
        .init("repeated identical Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc", body: "abc"),
        .init("Content-Length 0", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
        .init("leading zeros in Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc", body: "abc"),
        .init("chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", body: "hello world"),
        .init("chunked, mixed case coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n3\r\nabc\r\n0\r\n\r\n", body: "abc"),
        .init("chunked with uppercase hex", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
              body: "0123456789"),
        .init("chunked with lowercase hex and leading zeros", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n000b\r\nhello world\r\n000\r\n\r\n",
              body: "hello world"),
        .init("chunk extensions", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value ; flag\r\nhello\r\n0;last=\"a \\\"quoted\\\" end\"\r\n\r\n",
              body: "hello"),
        .init("trailers", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n", body: "hi"),
        .init("empty chunked body", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        .init("leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET"),
        .init("HTTP/1.0 without Host", "GET /old HTTP/1.0\r\n\r\n", method: "GET", path: "/old"),
        .init("absolute-form", "GET http://example.com:8080/hooks/stripe?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
              method: "GET", path: "/hooks/stripe", query: "x=1"),
        .init("absolute-form without path", "GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", method: "GET"),
        .init("asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", method: "OPTIONS", path: "*"),
        .init("percent escapes and sub-delims", "GET /a%2Fb;p=1/c@d?x=%41&y=$!*'(),+: HTTP/1.1\r\nHost: a\r\n\r\n",
              method: "GET", path: "/a%2Fb;p=1/c@d", query: "x=%41&y=$!*'(),+:"),
        .init("IPv6 host and absolute-form", "GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", method: "GET", path: "/x"),
        .init("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", method: "GET"),
        .init("extension method", "PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n", method: "PROPFIND", path: "/dav"),
        .init("Expect 100-continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok", body: "ok"),
        .init("unknown Expect on HTTP/1.0 is ignored", "POST / HTTP/1.0\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\nok", body: "ok"),
        .init("obs-text in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u{E9}\r\n\r\n", method: "GET"),
        .init("empty field value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", method: "GET"),
        .init("binary body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\r\n\0\n", body: "\r\n\0\n"),
    ]

    @Test(arguments: accepted)
    func wellFormedRequest_decodes(_ row: AcceptedRequest) throws {
        let requests = try decodeAll(row.text)
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == row.method)
        #expect(request.path == row.path)
        #expect(request.query == row.query)
        #expect(request.body == Array(row.body.utf8))
    }

    @Test(arguments: accepted)
    func wellFormedRequest_decodesTheSameFedByteByByte(_ row: AcceptedRequest) throws {
        var decoder = HTTPRequestDecoder()
        var requests: [HTTPRequest] = []
        for byte in row.text.utf8 {
            decoder.append(contentsOf: [byte])
            if let request = try decoder.nextRequest() { requests.append(request) }
        }
        let whole = try decodeAll(row.text)
        #expect(requests.map(\.target) == whole.map(\.target))
        #expect(requests.map(\.body) == whole.map(\.body))
        #expect(requests.map { Array($0.headers).map(\.value) } == whole.map { Array($0.headers).map(\.value) })
        #expect(decoder.phase == .idle)
    }

    @Test func simpleGet_keepsFieldsInOrderWithTrimmedValues() throws {
        let request = try #require(try decodeAll("GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Two: 1\r\nx-two:  2 \r\nAccept:*/*\r\n\r\n").first)
        #expect(request.method == "GET")
        #expect(request.target == "/a?b=c")
        #expect(request.version == .http1_1)
        #expect(Array(request.headers).map(\.name) == ["Host", "X-Two", "x-two", "Accept"])
        #expect(request.headers["x-TWO"] == "1")
        #expect(request.headers.values(for: "X-Two") == ["1", "2"])
        #expect(request.headers["Accept"] == "*/*")
        #expect(request.keepAlive)
    }

    @Test func pipelinedRequests_comeOutInOrder() throws {
        let text = "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "GET /two HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"
            + "GET /four HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        let requests = try decodeAll(text)
        #expect(requests.map(\.path) == ["/one", "/two", "/three", "/four"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["abc", "", "z", ""])
        #expect(requests[3].keepAlive)
    }

    @Test func incompleteRequest_waitsForMoreBytes() throws {
        var decoder = HTTPRequestDecoder()
        #expect(decoder.phase == .idle)
        decoder.append(contentsOf: "POST / HTTP/1.1\r\nHost: a\r\nContent-Le".utf8)
        #expect(try decoder.nextRequest() == nil)
        #expect(decoder.phase == .head)
        decoder.append(contentsOf: "ngth: 4\r\n\r\nab".utf8)
        #expect(try decoder.nextRequest() == nil)
        #expect(decoder.phase == .body)
        decoder.append(contentsOf: "cdGET".utf8)
        #expect(try decoder.nextRequest()?.body == Array("abcd".utf8))
        #expect(decoder.phase == .head)
        #expect(decoder.bufferedByteCount == 3)
    }

    @Test func continueExpectation_isReportedOnceBeforeTheBody() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(contentsOf: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)
        #expect(try decoder.nextRequest() == nil)
        let first = decoder.takeContinueExpectation()
        let second = decoder.takeContinueExpectation()
        #expect(first)
        #expect(!second)
        decoder.append(contentsOf: "ok".utf8)
        #expect(try decoder.nextRequest()?.body == Array("ok".utf8))
    }

    @Test func continueExpectation_isSkippedWhenTheBodyIsAlreadyArriving() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(contentsOf: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nab".utf8)
        #expect(try decoder.nextRequest() == nil)
        let wanted = decoder.takeContinueExpectation()
        #expect(!wanted)
    }

    @Test func continueExpectation_isIgnoredOnHTTP10AndWithoutBody() throws {
        var http10 = HTTPRequestDecoder()
        http10.append(contentsOf: "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)
        #expect(try http10.nextRequest() == nil)
        let http10Wanted = http10.takeContinueExpectation()
        #expect(!http10Wanted)
        var empty = HTTPRequestDecoder()
        empty.append(contentsOf: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n".utf8)
        #expect(try empty.nextRequest() != nil)
        let emptyWanted = empty.takeContinueExpectation()
        #expect(!emptyWanted)
    }

    @Test func error_isStickyEvenAfterValidBytes() {
        var decoder = HTTPRequestDecoder()
        decoder.append(contentsOf: "GET / HTTP/1.1\r\nHost : a\r\n\r\n".utf8)
        #expect(throws: HTTPProtocolError(.badHeader)) { try decoder.nextRequest() }
        decoder.append(contentsOf: "GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(throws: HTTPProtocolError(.badHeader)) { try decoder.nextRequest() }
    }

    @Test func limits_areTakenFromTheConfiguration() {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 4
        limits.maxHeaderCount = 1
        limits.maxRequestLineBytes = 16
        #expect(decodingError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", limits: limits)?.reason == .tooManyHeaders)
        limits.maxHeaderCount = 2
        #expect(decodingError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", limits: limits)?.reason == .bodyTooLarge)
        #expect(decodingError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nhell", limits: limits) == nil)
        #expect(decodingError("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n", limits: limits)?.reason == .bodyTooLarge)
        // 16 bytes of request line is the limit exactly; 17 is over.
        #expect(decodingError("GET /01 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) == nil)
        #expect(decodingError("GET /012 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)?.reason == .requestLineTooLong)
    }

    @Test func largeBody_arrivingInPieces_isDecodedWhole() throws {
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var decoder = HTTPRequestDecoder()
        decoder.append(contentsOf: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        var request: HTTPRequest?
        for offset in stride(from: 0, to: body.count, by: 7_000) {
            #expect(request == nil)
            decoder.append(contentsOf: body[offset..<min(offset + 7_000, body.count)])
            request = try decoder.nextRequest()
        }
        #expect(request?.body == body)
    }

    @Test func seededMutations_neverCrashAndDecodeTheSameInAnyPieces() {
        var random = SplitMix64(seed: 9112)
        let seeds = Self.accepted.map { Array($0.text.utf8) }
        let noise: [UInt8] = [0x0D, 0x0A, 0x00, 0x20, 0x09, 0x3A, 0x3B, 0x22, 0x2C, 0x30, 0x46, 0x7F, 0xFF]
        for _ in 0..<3000 {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + random.next() % 4) where !bytes.isEmpty {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[position] = noise[Int(random.next() % UInt64(noise.count))]
                case 1: bytes.insert(noise[Int(random.next() % UInt64(noise.count))], at: position)
                case 2: bytes.remove(at: position)
                default: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            let whole = Self.outcome(of: [bytes])
            var pieces: [[UInt8]] = []
            var rest = bytes[...]
            while !rest.isEmpty {
                let size = Int(random.next() % 9) + 1
                pieces.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            #expect(Self.outcome(of: pieces) == whole, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    /// What feeding `pieces` produces: each request's target and body, then the error if any.
    static func outcome(of pieces: [[UInt8]]) -> String {
        var decoder = HTTPRequestDecoder()
        var result = ""
        do {
            for piece in pieces {
                decoder.append(contentsOf: piece)
                while let request = try decoder.nextRequest() {
                    result += "\(request.method) \(request.target) \(request.headers.count) \(request.body.count);"
                }
            }
        } catch {
            result += error.description
        }
        return result
    }
}
