/// A thin event's `related_object`: the API resource the event is about, by reference only (Stripe's
/// thin payloads carry no object state; fetch `url` for the current one).
public struct RelatedObject: Sendable, Equatable {
    /// The resource's id, e.g. `mtr_…` or `acct_…`; nil for singleton resources that have none.
    public let id: String?
    /// The resource's type, e.g. `billing.meter` or `v2.core.account`.
    public let type: String
    /// The API path that returns the resource's current state, e.g. `/v1/billing/meters/mtr_…`.
    public let url: String

    /// Creates a reference.
    /// - Parameters:
    ///   - id: the resource's id, if it has one.
    ///   - type: the resource's type.
    ///   - url: the API path of its current state.
    public init(id: String?, type: String, url: String) {
        self.id = id
        self.type = type
        self.url = url
    }
}
