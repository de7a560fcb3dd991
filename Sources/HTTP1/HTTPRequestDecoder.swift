#if canImport(Glibc)
import Glibc
#endif

/// An incremental HTTP/1.1 request decoder (RFC 9112): feed it bytes as they arrive, take complete
/// requests out in order. Pure: no I/O, no clock; the event loop supplies bytes and enforces timeouts.
///
/// Policy, strictest of what RFC 9112 allows:
/// - lines end with CRLF only; a bare LF or bare CR anywhere in the head or trailers is a 400 (§2.2);
/// - empty lines before a request line are skipped, within `maxRequestLineBytes` (§2.2);
/// - the request line is `token SP target SP HTTP/d.d` with single spaces; HTTP/1.0 and 1.1 are served,
///   other well-formed versions get 505, anything else 400 (§3, §2.3);
/// - targets use RFC 3986 characters only, with well-formed `%XX`; they are origin-form, absolute-form (`http(s)://…`, path extracted, §3.2.2), or `*` with
///   `OPTIONS` (§3.2.4); `CONNECT` gets 501;
/// - obs-fold, whitespace before the colon and control bytes in values are 400 (§5.1, §5.2);
/// - HTTP/1.1 needs exactly one `Host`, HTTP/1.0 at most one, and its value must be a host[:port] (§3.2);
/// - `Content-Length` is 1*DIGIT; repeated lines with the same value are accepted, differing ones or a
///   comma list are 400 (§6.2, §6.3); with `Transfer-Encoding` it is 400 (§6.1, §11.2);
/// - `Transfer-Encoding` must be exactly `chunked`: not final → 400, other codings → 501, on
///   HTTP/1.0 → 400 (§6.1, §6.3);
/// - no `Content-Length` and no `Transfer-Encoding` means an empty body, for every method (§6.3);
/// - after any error the decoder stays failed: the connection must be closed.
public struct HTTPRequestDecoder: Sendable {
    /// Where the decoder is in the current request, for the caller's timeouts.
    public enum Phase: Sendable, Equatable {
        /// Between requests: nothing of the next one received yet.
        case idle
        /// Inside the request line or header section.
        case head
        /// Inside the body (or its trailers).
        case body
    }

    /// What is expected next on the wire.
    enum State: Sendable {
        /// The request line, or empty lines before it (RFC 9112 §3, §2.2).
        case requestLine
        /// Field lines of the header section, up to the empty line (RFC 9112 §5).
        case fields
        /// A body of `length` bytes (RFC 9112 §6.2).
        case fixedBody(length: Int)
        /// A chunk-size line (RFC 9112 §7.1).
        case chunkSize
        /// Chunk data, `remaining` bytes still to come.
        case chunkData(remaining: Int)
        /// The CRLF after chunk data.
        case chunkDataEnd
        /// The trailer section after the last chunk (RFC 9112 §7.1.2).
        case trailers
        /// Gave up; the connection must close.
        case failed(HTTPProtocolError)
    }

    /// The limits enforced while decoding.
    public let limits: HTTPLimits

    /// Received bytes; `buffer[start...]` is not consumed yet.
    var buffer: [UInt8] = []
    /// Index of the first unconsumed byte.
    var start = 0
    /// Bytes after `start` already searched for LF without finding one, so no byte is scanned twice.
    var scanned = 0
    /// What is expected next.
    var state = State.requestLine
    /// The request being assembled.
    var head = PartialHead()
    /// The decoded body so far (chunked) or once complete (fixed length).
    var body: [UInt8] = []
    /// Bytes counted against the current section's limit: skipped empty lines before the request
    /// line, field lines of the header section, or lines of the trailer section.
    var sectionBytes = 0
    /// Field lines in the current section.
    var sectionLines = 0
    /// Chunk-extension bytes in the current body.
    var extensionBytes = 0
    /// Whether the client waits for `100 Continue` before sending the body.
    var continueExpected = false

    /// Creates a decoder enforcing `limits`.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Where the decoder is in the current request.
    public var phase: Phase {
        switch state {
        case .requestLine: sectionBytes == 0 && start == buffer.count ? .idle : .head
        case .fields, .failed: .head
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: .body
        }
    }

    /// Bytes received and not yet consumed by a returned request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// Appends received bytes (tests feed string literals' `utf8` here).
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete request, or nil when more bytes are needed. Throws the first protocol
    /// error found, and again on every later call.
    public mutating func nextRequest() throws(HTTPProtocolError) -> HTTPRequest? {
        if case .failed(let error) = state { throw error }
        do throws(HTTPProtocolError) {
            return try decode()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Whether to send `100 Continue` now, answered once per request: true when the header section
    /// carried `Expect: 100-continue` on HTTP/1.1, its body length is within limits, and no body byte
    /// has arrived yet (RFC 9110 §10.1.1 lets a server skip the 100 once content is arriving).
    public mutating func takeContinueExpectation() -> Bool {
        guard continueExpected, phase == .body else { return false }
        continueExpected = false
        return start == buffer.count
    }

    /// Runs the state machine until a request is complete or the buffered bytes run out.
    mutating func decode() throws(HTTPProtocolError) -> HTTPRequest? {
        while true {
            switch state {
            case .requestLine:
                guard let line = try nextLine(budget: limits.maxRequestLineBytes + 2 - sectionBytes, tooLong: .requestLineTooLong) else {
                    return nil
                }
                if line.isEmpty {
                    // §2.2: a server SHOULD ignore empty lines received before the request line.
                    sectionBytes += 2
                    continue
                }
                try parseRequestLine(line)
                sectionBytes = 0
                sectionLines = 0
                state = .fields
            case .fields:
                guard let line = try nextLine(budget: limits.maxHeaderBytes - sectionBytes, tooLong: .headerTooLarge) else {
                    return nil
                }
                if line.isEmpty {
                    if let request = try finishHead() { return request }
                    continue
                }
                sectionBytes += line.count + 2
                sectionLines += 1
                if sectionLines > limits.maxHeaderCount { throw HTTPProtocolError(.tooManyHeaders) }
                try parseFieldLine(line, keep: true)
            case .fixedBody(let length):
                guard buffer.count - start >= length else { return nil }
                body = Array(buffer[start..<(start + length)])
                start += length
                return finishRequest()
            case .chunkSize:
                guard try decodeChunkSizeLine() else { return nil }
            case .chunkData(let remaining):
                let available = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<(start + available)])
                start += available
                if available < remaining {
                    state = .chunkData(remaining: remaining - available)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard try decodeChunkDataEnd() else { return nil }
            case .trailers:
                guard let line = try nextLine(budget: limits.maxTrailerBytes - sectionBytes, tooLong: .trailerTooLarge) else {
                    return nil
                }
                if line.isEmpty { return finishRequest() }
                sectionBytes += line.count + 2
                sectionLines += 1
                if sectionLines > limits.maxHeaderCount { throw HTTPProtocolError(.trailerTooLarge) }
                // §7.1.2: trailer fields are checked like header fields, then dropped: nothing here needs them.
                try parseFieldLine(line, keep: false)
            case .failed(let error):
                throw error
            }
        }
    }

    /// Consumes the next CRLF-terminated line and returns its content's range in `buffer`, or nil when
    /// no whole line is buffered. `budget` counts the line with its CRLF.
    mutating func nextLine(budget: Int, tooLong: HTTPProtocolError.Reason) throws(HTTPProtocolError) -> Range<Int>? {
        let from = start + scanned
        let lineFeed: Int? = buffer.withUnsafeBufferPointer { bytes in
            guard from < bytes.count, let base = bytes.baseAddress else { return nil }
            guard let found = memchr(base + from, Int32(HTTPSyntax.lf), bytes.count - from) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        }
        guard let lineFeed else {
            scanned = buffer.count - start
            // The LF is still to come, so the line will be at least one byte longer.
            if scanned + 1 > budget { throw HTTPProtocolError(tooLong) }
            return nil
        }
        // The length first: a line arriving in pieces is refused as too long before its LF is seen,
        // so the whole line must be refused the same way whatever ends it (found by fuzzing).
        if lineFeed + 1 - start > budget { throw HTTPProtocolError(tooLong) }
        // §2.2: lines end with CRLF; we do not accept a bare LF as a terminator.
        guard lineFeed > start, buffer[lineFeed - 1] == HTTPSyntax.cr else {
            throw HTTPProtocolError(.invalidLineEnding)
        }
        let line = start..<(lineFeed - 1)
        start = lineFeed + 1
        scanned = 0
        return line
    }

    /// Builds the finished request and resets for the next one, keeping any pipelined bytes.
    mutating func finishRequest() -> HTTPRequest {
        let finished = head
        let request = HTTPRequest(
            method: finished.method, target: finished.target, path: finished.path, query: finished.query,
            version: finished.version, headers: finished.headers, body: body
        )
        head = PartialHead()
        body = []
        state = .requestLine
        sectionBytes = 0
        sectionLines = 0
        extensionBytes = 0
        continueExpected = false
        return request
    }

    /// Drops consumed bytes before new ones are appended, so the buffer stays bounded by the limits.
    mutating func compact() {
        if start == buffer.count {
            // Give back the room a large body needed; keep the usual few kilobytes.
            if buffer.capacity > 128 * 1024 { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
            start = 0
        } else if start >= 4096 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
