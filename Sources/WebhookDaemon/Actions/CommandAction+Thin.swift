import StripeWebhooks

extension CommandAction {
    /// The variables that describe an event's payload style and, for a thin event, what it refers to:
    /// `STRIPE_EVENT_PAYLOAD` (`snapshot` or `thin`), `STRIPE_RELATED_OBJECT_ID`, `_TYPE`, `_URL` and
    /// `STRIPE_CONTEXT` (the account to fetch for). Every command gets all five, empty when the event
    /// has no such value, so that a script can test them without tripping `set -u`.
    static func thinVariables(_ event: StripeEvent) -> [String: String] {
        let related = event.thin?.relatedObject
        return [
            "STRIPE_EVENT_PAYLOAD": event.payloadStyle.rawValue,
            "STRIPE_RELATED_OBJECT_ID": related?.id ?? "",
            "STRIPE_RELATED_OBJECT_TYPE": related?.type ?? "",
            "STRIPE_RELATED_OBJECT_URL": related?.url ?? "",
            "STRIPE_CONTEXT": event.context ?? "",
        ]
    }

    /// The names ``thinVariables(_:)`` sets, which a handler's `environment` may not replace.
    static let thinVariableNames: Set<String> = [
        "STRIPE_EVENT_PAYLOAD", "STRIPE_RELATED_OBJECT_ID", "STRIPE_RELATED_OBJECT_TYPE", "STRIPE_RELATED_OBJECT_URL", "STRIPE_CONTEXT",
    ]
}
