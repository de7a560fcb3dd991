/// The Stripe API version this client speaks.
public enum StripeAPIVersion {
    /// Sent as `Stripe-Version` on every request, so that the events and endpoints Stripe returns are
    /// rendered the same way whatever the account's default version is. It is the version the sample
    /// events (`Sources/WebhookDaemon/Samples`, `api_version`) were rendered with; change it together with them.
    public static let pinned = "2026-07-29.dahlia"
}
