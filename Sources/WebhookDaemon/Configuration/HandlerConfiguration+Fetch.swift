extension HandlerConfiguration {
    /// A handler's `fetch`: what it gets for a thin event instead of the thin body, read from Stripe's
    /// API at each attempt (one API call per attempt; fetched bodies are never stored).
    public enum Fetch: String, Sendable, Equatable, CaseIterable {
        /// The versioned event, `GET /v2/core/events/{id}` (adds `data`, and for some types `changes`).
        case event
        /// The related object's current state, `GET related_object.url`.
        case relatedObject = "related_object"
    }
}
