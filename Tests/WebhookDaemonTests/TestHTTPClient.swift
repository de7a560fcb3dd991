import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client over a real TCP socket, for end-to-end tests: it sends raw bytes
/// and reads responses framed by Content-Length, so keep-alive and pipelining can be exercised.
final class TestHTTPClient {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: String
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    struct ClientError: Error, CustomStringConvertible { let description: String }

    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`.
    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw ClientError(description: "connect to port \(port) failed: errno \(errno)") }
    }

    deinit { close(fd) }

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Sends a string as bytes.
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// A POST request's bytes, with the headers Stripe sends.
    static func webhookRequest(path: String = "/webhook", body: [UInt8], signature: String?, extraHeaders: String = "") -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; charset=utf-8\r\n"
        head += "User-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\nContent-Length: \(body.count)\r\n"
        if let signature { head += "Stripe-Signature: \(signature)\r\n" }
        head += extraHeaders + "\r\n"
        return Array(head.utf8) + body
    }

    /// Reads one response; nil when the server closed the connection first.
    func readResponse() throws -> Response? {
        while true {
            if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError(description: "bad status line: \(head)") }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                if status == 100 {  // interim response: skip it
                    buffer.removeSubrange(..<end.upperBound)
                    continue
                }
                let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                while buffer.count < end.upperBound + length {
                    guard try fill() else { throw ClientError(description: "connection closed mid-body") }
                }
                let body = String(decoding: buffer[end.upperBound..<end.upperBound + length], as: UTF8.self)
                buffer.removeSubrange(..<(end.upperBound + length))
                return Response(status: status, headers: headers, body: body)
            }
            guard try fill() else { return nil }
        }
    }

    /// Whether the server has closed the connection (reads EOF within the timeout).
    func isClosedByServer() -> Bool {
        (try? fill()) == false
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        guard n > 0 else {
            if errno == ECONNRESET { return false }
            throw ClientError(description: "recv failed: errno \(errno)")
        }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}
