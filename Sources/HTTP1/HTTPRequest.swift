/// One complete request as decoded from the wire: request line, header fields and the whole body.
public struct HTTPRequest: Sendable {
    /// The method token, case preserved (RFC 9112 §3.1: methods are case-sensitive), e.g. `POST`.
    public var method: String
    /// The request-target exactly as received, e.g. `/webhook?mode=test`.
    public var target: String
    /// The target's path without the query: `/webhook`; for the absolute-form the path part of the URI
    /// (`/` when it has none); `*` for the asterisk-form.
    public var path: String
    /// The query after the first `?`, without the `?`; nil when the target has none.
    public var query: String?
    /// The protocol version from the request line.
    public var version: HTTPVersion
    /// The header fields, in the order received.
    public var headers: HTTPHeaders
    /// The body with any transfer coding removed; empty when the request has none.
    public var body: [UInt8]

    /// Creates a request, deriving `path` and `query` from `target`.
    /// - Parameters:
    ///   - method: the method token, e.g. `POST`.
    ///   - target: an origin-form (`/a?b`), absolute-form (`http://host/a?b`) or asterisk-form (`*`) target.
    ///   - version: the protocol version.
    ///   - headers: the header fields.
    ///   - body: the decoded body.
    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        let (path, query) = Self.splitTarget(target)
        self.init(method: method, target: target, path: path, query: query, version: version, headers: headers, body: body)
    }

    /// Creates a request from parts the decoder has already split.
    init(method: String, target: String, path: String, query: String?, version: HTTPVersion, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// Whether the client asked to keep the connection open after this request (RFC 9112 §9.3):
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }

    /// Splits a request-target into path and query (RFC 9112 §3.2): the absolute-form's scheme and
    /// authority are dropped, so handlers see `/path` whichever form the client used.
    static func splitTarget(_ target: String) -> (path: String, query: String?) {
        let bytes = target.utf8
        var pathStart = bytes.startIndex
        if let first = bytes.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "*"),
           let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
           bytes[colon...].starts(with: "://".utf8) {
            // §3.2.2 absolute-form: skip `scheme://authority`.
            let authority = bytes.index(colon, offsetBy: 3)
            pathStart = bytes[authority...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? bytes.endIndex
        }
        let mark = bytes[pathStart...].firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = mark ?? bytes.endIndex
        let path: String
        if pathStart == pathEnd {
            path = "/"
        } else if pathStart == bytes.startIndex && pathEnd == bytes.endIndex {
            path = target  // the common case: shares the target's storage
        } else {
            path = String(target[pathStart..<pathEnd])
        }
        guard let mark else { return (path, nil) }
        return (path, String(target[bytes.index(after: mark)...]))
    }
}
