/// Writing a response's head and body into one buffer, so one `send` carries both.
extension HTTPResponse {
    /// What the `Connection` header says about the connection after this response.
    enum ConnectionDirective {
        /// Persistent by default (an HTTP/1.1 request): no header.
        case persistent
        /// Persistent because an HTTP/1.0 client asked: `Connection: keep-alive`.
        case keepAlive
        /// The server closes after this response: `Connection: close`.
        case close
    }

    /// `HTTP/1.1 100 Continue` and the empty line: the interim response to `Expect: 100-continue`.
    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Whether the responder asked to close the connection with `Connection: close`.
    var asksToClose: Bool { headers.containsToken("close", in: "Connection") }

    /// Appends the status line, headers and body to `output` and returns the names of headers dropped
    /// because they could split the response (RFC 9112 §11.1). The server writes `Content-Length`
    /// (except for 204, RFC 9110 §8.6), the `date` line and `Connection` itself; the body is left out
    /// for HEAD requests and for 204 and 304 (RFC 9110 §6.4.1) while `Content-Length` still gives its size.
    /// A status outside 200–999 or with a bad phrase is replaced by 500, since it cannot be written.
    func encode(into output: inout [UInt8], connection: ConnectionDirective, isHeadRequest: Bool, date: [UInt8]) -> [String] {
        var status = status
        if !(200...999).contains(status.code) || !HTTPSyntax.isFieldValue(status.phrase) { status = .internalServerError }
        output.append(contentsOf: "HTTP/1.1 ".utf8)
        Self.appendDecimal(status.code, to: &output)
        output.append(HTTPSyntax.space)
        output.append(contentsOf: status.phrase.utf8)
        output.append(contentsOf: "\r\n".utf8)
        var dropped: [String] = []
        for (name, value) in headers {
            if Self.isFramingHeader(name) { continue }
            guard HTTPSyntax.isToken(name), HTTPSyntax.isFieldValue(value) else {
                dropped.append(name)
                continue
            }
            output.append(contentsOf: name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: value.utf8)
            output.append(contentsOf: "\r\n".utf8)
        }
        let bodyAllowed = status.code != 204 && status.code != 304
        if status.code != 204 {
            output.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(body.count, to: &output)
            output.append(contentsOf: "\r\n".utf8)
        }
        output.append(contentsOf: date)
        switch connection {
        case .persistent: break
        case .keepAlive: output.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        case .close: output.append(contentsOf: "Connection: close\r\n".utf8)
        }
        output.append(contentsOf: "\r\n".utf8)
        if bodyAllowed && !isHeadRequest { output.append(contentsOf: body) }
        return dropped
    }

    /// Whether `name` is a header only the server may write: it decides framing and persistence.
    static func isFramingHeader(_ name: String) -> Bool {
        HTTPSyntax.equalsIgnoringCase(name, "Content-Length") || HTTPSyntax.equalsIgnoringCase(name, "Transfer-Encoding")
            || HTTPSyntax.equalsIgnoringCase(name, "Connection") || HTTPSyntax.equalsIgnoringCase(name, "Date")
    }

    /// Appends the decimal digits of a non-negative `value` without making a string.
    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            output.append(UInt8(truncatingIfNeeded: rest / divisor) + 0x30)
            rest %= divisor
            divisor /= 10
        }
    }
}
