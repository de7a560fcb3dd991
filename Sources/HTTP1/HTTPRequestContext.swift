/// What the server knows about a request beyond its bytes: who sent it, its identifier, when it came.
public struct HTTPRequestContext: Sendable {
    /// The peer as `address:port`, e.g. `127.0.0.1:5555` or `[::1]:5555`.
    public var remoteAddress: String
    /// A short identifier, unique per request within this process run, for logs (`request.id`).
    public var requestID: String
    /// The peer's IP address without the port and brackets: `127.0.0.1`, `::1`.
    public var remoteIP: Substring {
        if remoteAddress.hasPrefix("["), let end = remoteAddress.firstIndex(of: "]") {
            return remoteAddress[remoteAddress.index(after: remoteAddress.startIndex)..<end]
        }
        guard let colon = remoteAddress.lastIndex(of: ":") else { return remoteAddress[...] }
        return remoteAddress[..<colon]
    }
    /// When the request's last byte was decoded, on the monotonic clock (for durations, not dates).
    public var receivedAt: ContinuousClock.Instant

    /// Creates a context.
    /// - Parameters:
    ///   - remoteAddress: the peer as `address:port`.
    ///   - requestID: the request's identifier.
    ///   - receivedAt: when the request was complete.
    public init(remoteAddress: String, requestID: String, receivedAt: ContinuousClock.Instant = .now) {
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.receivedAt = receivedAt
    }
}
