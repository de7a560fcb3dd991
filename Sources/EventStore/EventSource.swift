/// Where a stored event came from.
public enum EventSource: String, Sendable, Equatable, CaseIterable {
    /// Delivered by Stripe to a webhook endpoint (signature verified).
    case webhook
    /// Fetched from Stripe's Events API by `events backfill` or the automatic catch-up.
    case backfill
}
