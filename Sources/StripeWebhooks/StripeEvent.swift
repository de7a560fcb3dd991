/// A decoded snapshot event (`"object": "event"`), the body Stripe POSTs to a webhook endpoint (Stripe rule §3).
public struct StripeEvent: Sendable, Equatable {
    /// `evt_...`: the dedupe key (never the signature, which changes on every retry).
    public let id: String
    /// Always `event` for a snapshot event.
    public let object: String
    /// What happened, e.g. `payment_intent.succeeded`.
    public let type: EventType
    /// When the event was created, Unix seconds; several events can share one and it is not an ordering key.
    public let created: Int64
    /// Live mode (true) or test mode (false).
    public let livemode: Bool
    /// The API version `data` was rendered with; nil when null or absent.
    public let apiVersion: String?
    /// The resource and, on updates, its previous attributes.
    public let data: EventData
    /// The API request that caused the event; nil when null or absent.
    public let request: EventRequest?
    /// The connected account (`acct_...`) for Connect events.
    public let account: String?
    /// How many endpoints had not yet received this event when it was sent.
    public let pendingWebhooks: Int64?
    /// The Connect context string, if any.
    public let context: String?
    /// The thin event this event stands for, when it arrived as one (see ``init(thin:)``); nil for snapshot events.
    public let thin: ThinEvent?

    /// Creates an event from its parts (``decode(from:)`` is the usual way to get one).
    /// - Parameters:
    ///   - id: `evt_...`.
    ///   - object: `event`.
    ///   - type: The event type.
    ///   - created: Unix seconds.
    ///   - livemode: Live or test mode.
    ///   - apiVersion: The API version, if any.
    ///   - data: `data.object` and `data.previous_attributes`.
    ///   - request: The causing request, if any.
    ///   - account: The Connect account, if any.
    ///   - pendingWebhooks: The pending webhook count, if any.
    ///   - context: The Connect context, if any.
    ///   - thin: The thin event it stands for, if any.
    public init(
        id: String, object: String = "event", type: EventType, created: Int64, livemode: Bool,
        apiVersion: String?, data: EventData, request: EventRequest?, account: String? = nil,
        pendingWebhooks: Int64? = nil, context: String? = nil, thin: ThinEvent? = nil
    ) {
        self.id = id
        self.object = object
        self.type = type
        self.created = created
        self.livemode = livemode
        self.apiVersion = apiVersion
        self.data = data
        self.request = request
        self.account = account
        self.pendingWebhooks = pendingWebhooks
        self.context = context
        self.thin = thin
    }

    /// `data.object.id`, the resource's id; nil for objects without one (e.g. `balance`, `invoice.upcoming`).
    /// For a thin event, `related_object.id`.
    public var objectID: String? {
        thin.map { $0.relatedObject?.id } ?? data.objectIDMember?.stringValue
    }

    /// The type of `data.object` (its `object` field), e.g. `invoice`; for a thin event, `related_object.type`.
    public var objectType: String? {
        thin.map { $0.relatedObject?.type } ?? data.objectTypeMember?.stringValue
    }

    /// `data.object` as the typed view `T`, or nil when the object is not a `T` (see ``StripeObject``).
    public func object<T: StripeObject>(as type: T.Type) -> T? {
        T(json: data.object)
    }
}
