import StripeWebhooks

/// One webhook endpoint: a path with its own signing secrets, timestamp tolerance and payload style
/// (one for account events, one for Connect events, one for a thin destination, each with the secret
/// of its Stripe destination).
public struct EndpointConfiguration: Sendable, Equatable {
    /// The path Stripe posts to, e.g. `/webhook/connect`.
    public var path: String
    /// Its signing secrets; an event is accepted when any of them verifies it.
    public var secrets: [SecretReference]
    /// Its tolerance in seconds; `nil` takes the top-level `tolerance_seconds`.
    public var toleranceSeconds: Int64?
    /// Its Stripe webhook endpoint (`we_…`), watched through Stripe's API when set.
    public var webhookEndpointID: String?
    /// The payload style it takes (`payload`): snapshot events (the default) or thin events; the
    /// other style is refused with 400.
    public var payload: PayloadStyle = .snapshot

    /// Creates an endpoint.
    /// - Parameters:
    ///   - path: the path Stripe posts to.
    ///   - secrets: its signing secrets.
    ///   - toleranceSeconds: its tolerance, or `nil` for the top-level one.
    ///   - webhookEndpointID: its Stripe webhook endpoint (`we_…`), to watch.
    public init(path: String, secrets: [SecretReference], toleranceSeconds: Int64? = nil, webhookEndpointID: String? = nil) {
        self.path = path
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
        self.webhookEndpointID = webhookEndpointID
    }
}
