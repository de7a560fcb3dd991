import StripeWebhooks

/// The fields of a webhook endpoint object the daemon watches (docs.stripe.com/api/webhook_endpoints/object).
public struct WebhookEndpointState: Sendable, Equatable {
    /// `we_…`.
    public var id: String
    /// `enabled` or `disabled` (Stripe disables an endpoint after days of failed deliveries).
    public var status: String
    /// The event types Stripe sends to it; `*` means all.
    public var enabledEvents: [String]
    /// Whether it is a live mode endpoint.
    public var livemode: Bool
    /// The URL Stripe posts to.
    public var url: String?

    /// Creates a state.
    /// - Parameters:
    ///   - id: the endpoint id.
    ///   - status: `enabled` or `disabled`.
    ///   - enabledEvents: its event types.
    ///   - livemode: live or test.
    ///   - url: its URL.
    public init(id: String, status: String, enabledEvents: [String], livemode: Bool, url: String?) {
        self.id = id
        self.status = status
        self.enabledEvents = enabledEvents
        self.livemode = livemode
        self.url = url
    }

    /// Whether Stripe delivers to it.
    public var isEnabled: Bool { status == "enabled" }

    /// Whether Stripe sends events of `type` to it (`*` enables every type).
    public func sends(_ type: String) -> Bool { enabledEvents.contains("*") || enabledEvents.contains(type) }
}

extension StripeAPIClient {
    /// Retrieves a webhook endpoint (`GET /v1/webhook_endpoints/{id}`).
    public func webhookEndpoint(id: String) throws(StripeAPIError) -> WebhookEndpointState {
        let json = try get("/v1/webhook_endpoints/\(id)")
        guard json["object"]?.stringValue == "webhook_endpoint", let status = json["status"]?.stringValue,
              let enabled = json["enabled_events"]?.arrayValue?.compactMap(\.stringValue) else {
            throw StripeAPIError(.invalidResponse, "GET /v1/webhook_endpoints/\(id): the answer is not a webhook_endpoint object")
        }
        return WebhookEndpointState(
            id: json["id"]?.stringValue ?? id, status: status, enabledEvents: enabled,
            livemode: json["livemode"]?.boolValue ?? false, url: json["url"]?.stringValue
        )
    }
}
