/// Every bound the server puts on a client, as named settings with their defaults. The decoder
/// enforces the size limits as bytes arrive; the event loop enforces the timeouts and counts.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line, without its CRLF, including any empty lines skipped before it
    /// (RFC 9112 §2.2). Default 8 KiB; longer → 414 URI Too Long (the target is what grows).
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Largest header section: every field line with its CRLF, without the request line. Default 32 KiB;
    /// larger → 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Most field lines in the header section. Default 100; more → 431.
    public var maxHeaderCount: Int = 100
    /// Largest body after removing the chunked coding. Default 1 MiB: Stripe's events are far smaller
    /// (the project's policy in `docs/stripe-webhooks.md`). Larger → 413, decided from `Content-Length`
    /// before any body byte is read, or as chunks arrive.
    public var maxBodyBytes: Int = 1024 * 1024
    /// Most bytes of chunk extensions (RFC 9112 §7.1.1) in one body, summed over all chunks.
    /// Default 4 KiB; more → 400.
    public var maxChunkExtensionBytes: Int = 4 * 1024
    /// Largest trailer section of a chunked body (RFC 9112 §7.1.2), field lines with CRLFs; trailers are
    /// checked and then dropped. Default 8 KiB; larger, or more than `maxHeaderCount` lines → 431.
    public var maxTrailerBytes: Int = 8 * 1024
    /// Time allowed for a whole header section, from the request's first byte (or from accept on a
    /// new connection). Default 10 s; expiry → 408 and close.
    public var headerReadTimeout: Duration = .seconds(10)
    /// Time allowed for the whole body, from the end of the header section (not per read, so a slow
    /// drip cannot hold a connection). Default 30 s; expiry → 408 and close.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may sit between requests. Default 60 s; expiry → silent close.
    public var idleTimeout: Duration = .seconds(60)
    /// How long the responder may take to call its completion. Default 30 s; expiry → 503
    /// `{"error":"response_timeout"}` and close; the late completion is dropped.
    public var responseTimeout: Duration = .seconds(30)
    /// How long a response may wait for a client that does not read it. Default 30 s; expiry → close.
    public var writeTimeout: Duration = .seconds(30)
    /// After an error response, how long to keep reading and discarding what the client still sends
    /// before closing (RFC 9112 §9.6 staged close), so the client sees the response instead of a reset.
    /// Default 2 s.
    public var lingerTimeout: Duration = .seconds(2)
    /// Most open connections across all event loops. Default 1024; a connection over the cap gets a
    /// best-effort `503` with `Connection: close` and is closed at once.
    public var maxConnections: Int = 1024
    /// Most requests served on one connection before it is closed with `Connection: close`;
    /// nil (the default) for no limit.
    public var maxRequestsPerConnection: Int? = nil

    /// The defaults above.
    public init() {}
}
