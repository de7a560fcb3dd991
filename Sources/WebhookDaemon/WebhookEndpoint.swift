import StripeWebhooks

/// One path the daemon accepts webhooks on, with the verifier for its secrets and tolerance.
struct WebhookEndpoint: Sendable {
    /// The path Stripe posts to.
    let path: String
    /// Checks `Stripe-Signature` against this endpoint's secrets.
    let verifier: SignatureVerifier
    /// Its secrets' labels, in order, for logs (never the secrets).
    let secretLabels: [String]
}
