import StripeWebhooks

/// An event as the Events API returned it: its JSON re-serialized (compact; the same fields as a
/// delivery's body) and decoded.
public struct ListedEvent: Sendable, Equatable {
    /// The event's JSON, to store and hand to handlers as a delivery's body would be.
    public var body: [UInt8]
    /// The decoded envelope.
    public var event: StripeEvent

    /// Creates a listed event.
    public init(body: [UInt8], event: StripeEvent) {
        self.body = body
        self.event = event
    }
}
