/// A decoded thin event (`"object": "v2.core.event"`), the body an event destination with the thin
/// payload style POSTs (Stripe rule §5). The payload is unversioned and small: what happened, when, and
/// a reference to the object; a receiver fetches the versioned event or the object's current state
/// when it needs more.
public struct ThinEvent: Sendable, Equatable {
    /// The `object` value of every thin event.
    public static let objectValue = "v2.core.event"

    /// `evt_…`: the dedupe key, as for snapshot events.
    public let id: String
    /// What happened, e.g. `v1.billing.meter.error_report_triggered` or `v2.core.account.updated`.
    public let type: EventType
    /// `created` exactly as sent: an RFC 3339 timestamp such as `2024-09-17T06:20:52.246Z`.
    public let created: String
    /// `created` in whole Unix seconds (fractions dropped), for stores that index Unix time.
    public let createdSeconds: Int64
    /// Live mode (true) or test mode (false).
    public let livemode: Bool
    /// The account to act for when fetching (sent as `Stripe-Context`); nil when absent, null or empty.
    public let context: String?
    /// The object the event is about; nil when absent or null.
    public let relatedObject: RelatedObject?
    /// Why the event happened (`{"type": "request", "request": {…}}`); nil when absent or null.
    public let reason: JSONValue?
    /// For a thin twin of a v1 event: the snapshot event's id, the idempotency key during a migration.
    public let snapshotEvent: String?
    /// `data`, when the payload carries it (fetched events always do); nil when absent or null.
    public let data: JSONValue?

    /// Creates a thin event from its parts (``decode(from:)`` is the usual way to get one).
    /// - Parameters:
    ///   - id: `evt_…`.
    ///   - type: the event type.
    ///   - created: the RFC 3339 text.
    ///   - createdSeconds: the same instant in Unix seconds.
    ///   - livemode: live or test mode.
    ///   - context: the `Stripe-Context` to fetch with, if any.
    ///   - relatedObject: the object reference, if any.
    ///   - reason: the reason object, if any.
    ///   - snapshotEvent: the twin snapshot event's id, if any.
    ///   - data: the `data` member, if any.
    public init(
        id: String, type: EventType, created: String, createdSeconds: Int64, livemode: Bool, context: String? = nil,
        relatedObject: RelatedObject? = nil, reason: JSONValue? = nil, snapshotEvent: String? = nil, data: JSONValue? = nil
    ) {
        self.id = id
        self.type = type
        self.created = created
        self.createdSeconds = createdSeconds
        self.livemode = livemode
        self.context = context
        self.relatedObject = relatedObject
        self.reason = reason
        self.snapshotEvent = snapshotEvent
        self.data = data
    }

    /// The path of the versioned event in Stripe's API: `/v2/core/events/{id}`.
    public var eventPath: String { "/v2/core/events/\(id)" }
}
