import StripeWebhooks

/// One path the daemon accepts webhooks on, with the verifier for its secrets and tolerance and the
/// payload style it takes.
struct WebhookEndpoint: Sendable {
    /// The path Stripe posts to.
    let path: String
    /// Checks `Stripe-Signature` against this endpoint's secrets.
    let verifier: SignatureVerifier
    /// Its secrets' labels, in order, for logs (never the secrets).
    let secretLabels: [String]
    /// The payload style it takes; the other style is refused.
    var payload: PayloadStyle = .snapshot
}
