import Testing
@testable import HTTP1

/// Encodes `response` as the server would for a GET with a fixed date line.
func encoded(_ response: HTTPResponse, connection: HTTPResponse.ConnectionDirective = .persistent, head: Bool = false) -> String {
    var output: [UInt8] = []
    _ = response.encode(into: &output, connection: connection, isHeadRequest: head, date: Array("Date: D\r\n".utf8))
    return String(decoding: output, as: UTF8.self)
}

@Suite struct HTTPResponseTests {
    @Test func json_setsContentTypeAndLength() {
        let text = encoded(.json(.ok, #"{"received":true}"#))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\nDate: D\r\n\r\n{\"received\":true}")
    }

    @Test func error_escapesTheReasonIntoJSON() {
        let response = HTTPResponse.error(.badRequest, reason: #"bad "quote""#)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"bad \"quote\""}"#)
        #expect(response.headers["Content-Type"] == "application/json")
    }

    @Test func framingHeadersFromTheResponder_areReplaced() {
        let response = HTTPResponse(status: .ok, headers: [
            "Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive", "Date": "x", "X-Keep": "y",
        ], body: Array("abc".utf8))
        #expect(encoded(response, connection: .close) == "HTTP/1.1 200 OK\r\nX-Keep: y\r\nContent-Length: 3\r\nDate: D\r\nConnection: close\r\n\r\nabc")
    }

    @Test func headersThatCouldSplitTheResponse_areDropped() {
        var output: [UInt8] = []
        let response = HTTPResponse(status: .ok, headers: ["X-Bad": "a\r\nInjected: 1", "Bad Name": "v", "X-Good": "ok"])
        let dropped = response.encode(into: &output, connection: .persistent, isHeadRequest: false, date: [])
        #expect(dropped == ["X-Bad", "Bad Name"])
        #expect(String(decoding: output, as: UTF8.self) == "HTTP/1.1 200 OK\r\nX-Good: ok\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func headRequest_keepsLengthButDropsBody() {
        #expect(encoded(HTTPResponse(body: Array("abc".utf8)), head: true) == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: D\r\n\r\n")
    }

    @Test func noContent_hasNeitherBodyNorLength() {
        #expect(encoded(HTTPResponse(status: .noContent, body: Array("x".utf8))) == "HTTP/1.1 204 No Content\r\nDate: D\r\n\r\n")
    }

    @Test func http10KeepAlive_isAnnounced() {
        #expect(encoded(HTTPResponse(), connection: .keepAlive) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: D\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test(arguments: [HTTPStatus(99, phrase: "Low"), HTTPStatus(100, phrase: "Continue"), HTTPStatus(1000, phrase: "Big"), HTTPStatus(200, phrase: "O\r\nK")])
    func unwritableStatus_becomes500(status: HTTPStatus) {
        #expect(encoded(HTTPResponse(status: status)).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }

    @Test(arguments: [0, 7, 10, 99, 100, 12345, 1_048_576])
    func contentLength_isWrittenInDecimal(length: Int) {
        #expect(encoded(HTTPResponse(body: [UInt8](repeating: 0x61, count: length))).contains("Content-Length: \(length)\r\n"))
    }
}
