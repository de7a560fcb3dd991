/// What a handler knows about the delivery it is running for, beyond the event itself.
public struct EventHandlerContext: Sendable {
    /// Which attempt this is at handling the event, starting at 1.
    public let attempt: Int
    /// The request body exactly as received and verified.
    public let body: [UInt8]

    /// When the event is stale: the id of an event about the same object, created later by Stripe,
    /// that was handled first (Stripe does not deliver in order). Apply an older state with care.
    public let newerEventID: String?

    /// Whether a newer event about the same object was handled before this one.
    public var isStale: Bool { newerEventID != nil }

    /// Creates a context.
    /// - Parameters:
    ///   - attempt: the attempt number, 1-based.
    ///   - body: the raw event body.
    ///   - newerEventID: the newer event handled first, when this one is stale.
    public init(attempt: Int, body: [UInt8], newerEventID: String? = nil) {
        self.attempt = attempt
        self.body = body
        self.newerEventID = newerEventID
    }
}
