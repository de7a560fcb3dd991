/// An event's `request`: the API request that caused it; both fields are null for automatic events.
public struct EventRequest: Sendable, Equatable {
    /// `request.id`, e.g. `req_...`; nil for events Stripe raised on its own.
    public let id: String?
    /// `request.idempotency_key`, if the request carried one.
    public let idempotencyKey: String?

    /// Creates a request reference.
    public init(id: String?, idempotencyKey: String?) {
        self.id = id
        self.idempotencyKey = idempotencyKey
    }
}
