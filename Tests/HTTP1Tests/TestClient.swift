#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A response as the test client read it.
struct TestResponse {
    /// The status code.
    var status: Int
    /// Header lines in order.
    var headers: [(name: String, value: String)]
    /// The body (by Content-Length).
    var body: [UInt8]

    /// The first value of `name`, ignoring case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Failures of the test client.
struct TestClientError: Error, CustomStringConvertible {
    /// What went wrong.
    var description: String
}

/// A blocking TCP client speaking raw bytes, with a receive timeout so no test can hang.
final class TestClient {
    /// The socket; -1 once closed.
    private(set) var descriptor: Int32
    /// Bytes received and not yet consumed.
    private var buffer: [UInt8] = []

    /// Connects to `127.0.0.1:port`; reads give up after `timeout`.
    init(port: Int, timeout: Duration = .seconds(5)) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw TestClientError(description: "connect failed: errno \(errno)")
        }
        let (seconds, attoseconds) = timeout.components
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Closes the connection.
    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestClientError(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends `text` as UTF-8.
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Shuts the writing side (sends FIN).
    func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads more bytes into the buffer; false at end of stream. Throws on timeout or error.
    @discardableResult
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw TestClientError(description: errno == EAGAIN ? "read timed out" : "read failed: errno \(errno)") }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    /// Reads until `bytes` are buffered, then consumes and returns them.
    func read(exactly count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw TestClientError(description: "end of stream after \(buffer.count) of \(count) bytes") }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Reads one line without its CRLF.
    func readLine() throws -> String {
        while true {
            if let lf = buffer.firstIndex(of: 0x0A) {
                let line = buffer[..<lf].dropLast(buffer[..<lf].last == 0x0D ? 1 : 0)
                buffer.removeFirst(lf + 1)
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { throw TestClientError(description: "end of stream inside a line") }
        }
    }

    /// Reads one response; its body by Content-Length (none for HEAD when `headRequest`).
    func readResponse(headRequest: Bool = false) throws -> TestResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw TestClientError(description: "bad status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError(description: "bad header: \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = TestResponse(status: status, headers: headers, body: [])
        if !headRequest, status >= 200, let length = response.header("Content-Length").flatMap(Int.init) {
            response.body = try read(exactly: length)
        }
        return response
    }

    /// Reads until the server closes; returns what arrived. Throws on timeout.
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// Whether the server closed the connection without sending anything more (a reset counts).
    func isClosedByServer() -> Bool {
        do {
            return try readToEnd().isEmpty
        } catch let error as TestClientError {
            return error.description.contains("errno \(ECONNRESET)")
        } catch {
            return false
        }
    }
}
