import WebhookSupport

/// A response to write: status, header fields and the whole body. The server writes `Content-Length`,
/// `Date` and `Connection` itself and drops those and `Transfer-Encoding` if set here (a
/// `Connection: close` set here is honoured), as well as any header whose name is not a token or whose
/// value holds CR, LF or another control byte.
public struct HTTPResponse: Sendable {
    /// The status line's code and phrase.
    public var status: HTTPStatus
    /// Header fields to send, in order.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    /// - Parameters:
    ///   - status: the status to send.
    ///   - headers: header fields to send.
    ///   - body: the body bytes.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a JSON body and `Content-Type: application/json`.
    public static func json(_ status: HTTPStatus, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(status, Array(body.utf8), headers: headers)
    }

    /// A response with JSON body bytes and `Content-Type: application/json`.
    public static func json(_ status: HTTPStatus, _ body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// The house error shape: `{"error":"<reason>"}` as JSON with `status`.
    public static func error(_ status: HTTPStatus, reason: String) -> HTTPResponse {
        json(status, "{\"error\":\(LogSink.jsonString(reason))}")
    }
}
