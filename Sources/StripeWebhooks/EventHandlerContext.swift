/// What a handler knows about the delivery it is running for, beyond the event itself.
public struct EventHandlerContext: Sendable {
    /// Which attempt this is at handling the event, starting at 1.
    public let attempt: Int
    /// The request body exactly as received and verified.
    public let body: [UInt8]

    /// Creates a context for attempt number `attempt` (1 for the first) at handling the event in `body`.
    public init(attempt: Int, body: [UInt8]) {
        self.attempt = attempt
        self.body = body
    }
}
