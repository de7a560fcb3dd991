/// Why the server refused or gave up on a request: the HTTP layer's one error type. Each reason has
/// exactly one status, chosen in `status` below and nowhere else; the server answers with
/// `{"error":"<reason>"}` and `Connection: close`.
public struct HTTPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reasons, written on the wire as their raw values.
    public enum Reason: String, Sendable, CaseIterable {
        /// The request line is not `method SP request-target SP HTTP-version` (RFC 9112 §3).
        case invalidRequestLine = "invalid_request_line"
        /// The request-target has a forbidden byte or form (RFC 9112 §3.2).
        case invalidRequestTarget = "invalid_request_target"
        /// The request line is longer than `maxRequestLineBytes`.
        case requestLineTooLong = "request_line_too_long"
        /// A well-formed version other than HTTP/1.0 and HTTP/1.1 (RFC 9112 §2.3).
        case unsupportedVersion = "unsupported_version"
        /// A bare CR or a bare LF in the request line, header or trailer section (RFC 9112 §2.2).
        case invalidLineEnding = "invalid_line_ending"
        /// A field line starting with whitespace: obs-fold (RFC 9112 §5.2).
        case obsoleteLineFolding = "obsolete_line_folding"
        /// A field line without a colon, with a non-token name, or with whitespace before the colon (§5.1).
        case badHeader = "bad_header"
        /// A field value with NUL or another control byte (RFC 9110 §5.5).
        case badHeaderValue = "bad_header_value"
        /// The header section is larger than `maxHeaderBytes`.
        case headerTooLarge = "header_too_large"
        /// More field lines than `maxHeaderCount`.
        case tooManyHeaders = "too_many_headers"
        /// An HTTP/1.1 request without `Host` (RFC 9112 §3.2).
        case missingHost = "missing_host"
        /// More than one `Host` line (RFC 9112 §3.2).
        case duplicateHost = "duplicate_host"
        /// A `Host` value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2).
        case invalidHost = "invalid_host"
        /// A `Content-Length` that is not a plain decimal number (RFC 9112 §6.2).
        case invalidContentLength = "invalid_content_length"
        /// Two `Content-Length` lines with different values (RFC 9112 §6.3).
        case conflictingContentLength = "conflicting_content_length"
        /// Both `Content-Length` and `Transfer-Encoding`: a smuggling vector (RFC 9112 §6.1, §11.2).
        case contentLengthWithTransferEncoding = "content_length_with_transfer_encoding"
        /// `Transfer-Encoding` whose final coding is not `chunked`, with `chunked` twice, or on HTTP/1.0
        /// (RFC 9112 §6.1, §6.3).
        case invalidTransferEncoding = "invalid_transfer_encoding"
        /// A transfer coding other than `chunked`, such as `gzip, chunked` (RFC 9112 §6.1: 501).
        case unsupportedTransferCoding = "unsupported_transfer_coding"
        /// An `Expect` other than `100-continue` (RFC 9110 §10.1.1).
        case unsupportedExpectation = "unsupported_expectation"
        /// `CONNECT`, which this server does not tunnel (RFC 9112 §3.2.3).
        case unsupportedMethod = "unsupported_method"
        /// The body is larger than `maxBodyBytes`.
        case bodyTooLarge = "body_too_large"
        /// A chunk-size line that is not hexadecimal, or a size that does not fit 63 bits (RFC 9112 §7.1).
        case invalidChunkSize = "invalid_chunk_size"
        /// A malformed chunk extension (RFC 9112 §7.1.1).
        case invalidChunkExtension = "invalid_chunk_extension"
        /// Chunk extensions beyond `maxChunkExtensionBytes`.
        case chunkExtensionsTooLarge = "chunk_extensions_too_large"
        /// Chunk data not followed by CRLF (RFC 9112 §7.1).
        case invalidChunk = "invalid_chunk"
        /// A trailer section beyond `maxTrailerBytes` or `maxHeaderCount` lines.
        case trailerTooLarge = "trailer_too_large"
        /// The header section did not arrive within `headerReadTimeout`.
        case requestTimeout = "request_timeout"
        /// The body did not arrive within `bodyReadTimeout`.
        case bodyTimeout = "body_timeout"
        /// The responder did not complete within `responseTimeout`.
        case responseTimeout = "response_timeout"
        /// The connection was over `maxConnections`.
        case tooManyConnections = "too_many_connections"
    }

    /// Why.
    public let reason: Reason

    /// Creates an error for `reason`.
    public init(_ reason: Reason) { self.reason = reason }

    /// The status the client gets: the single place where this layer's errors become statuses.
    public var status: HTTPStatus {
        switch reason {
        case .invalidRequestLine, .invalidRequestTarget, .invalidLineEnding, .obsoleteLineFolding, .badHeader,
             .badHeaderValue, .missingHost, .duplicateHost, .invalidHost, .invalidContentLength,
             .conflictingContentLength, .contentLengthWithTransferEncoding, .invalidTransferEncoding, .invalidChunkSize,
             .invalidChunkExtension, .chunkExtensionsTooLarge, .invalidChunk:
            .badRequest
        case .requestLineTooLong: .uriTooLong
        case .headerTooLarge, .tooManyHeaders, .trailerTooLarge: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .payloadTooLarge
        case .unsupportedVersion: .httpVersionNotSupported
        case .unsupportedTransferCoding, .unsupportedMethod: .notImplemented
        case .unsupportedExpectation: .expectationFailed
        case .requestTimeout, .bodyTimeout: .requestTimeout
        case .responseTimeout, .tooManyConnections: .serviceUnavailable
        }
    }

    /// The response the server sends for this error: `{"error":"<reason>"}` with `status`.
    public var response: HTTPResponse { .error(status, reason: reason.rawValue) }

    /// `<code> <reason>`, e.g. `400 missing_host`.
    public var description: String { "\(status.code) \(reason.rawValue)" }
}
