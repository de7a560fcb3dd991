/// One Stripe event as received: the envelope fields the store indexes, plus the exact body bytes.
public struct EventRecord: Sendable, Equatable {
    /// The event id (`evt_...`): the dedupe key.
    public var id: String
    /// The event type, e.g. `invoice.paid`.
    public var type: String
    /// The id of `data.object`, when it has one: events about one object are handled in order.
    public var objectID: String?
    /// Stripe's `created` (Unix seconds): events about one object are handled in this order (ties by
    /// arrival); an event older than a handled one about its object is stale.
    public var created: Int64
    /// Whether the event is from live mode.
    public var livemode: Bool
    /// The connected account (`acct_...`) for Connect events.
    public var account: String?
    /// The API version `data` was rendered with.
    public var apiVersion: String?
    /// The request body exactly as received and verified.
    public var body: [UInt8]
    /// When the daemon received it, Unix milliseconds.
    public var receivedAt: Int64
    /// Label of the signing secret that verified it, if the secret has one.
    public var verifiedBy: String?
    /// Where it came from: a webhook delivery (the default) or the Events API.
    public var source: EventSource

    /// Creates a record.
    /// - Parameters:
    ///   - id: the event id, the dedupe key.
    ///   - type: the event type.
    ///   - objectID: the id of `data.object`, if any.
    ///   - created: Stripe's creation time in Unix seconds.
    ///   - livemode: live or test mode.
    ///   - account: the Connect account, if any.
    ///   - apiVersion: the API version of `data`, if any.
    ///   - body: the raw request body.
    ///   - receivedAt: receive time in Unix milliseconds.
    ///   - verifiedBy: label of the secret that verified the signature.
    ///   - source: a webhook delivery (default) or the Events API.
    public init(
        id: String, type: String, objectID: String?, created: Int64, livemode: Bool, account: String?,
        apiVersion: String?, body: [UInt8], receivedAt: Int64, verifiedBy: String?, source: EventSource = .webhook
    ) {
        self.id = id
        self.type = type
        self.objectID = objectID
        self.created = created
        self.livemode = livemode
        self.account = account
        self.apiVersion = apiVersion
        self.body = body
        self.receivedAt = receivedAt
        self.verifiedBy = verifiedBy
        self.source = source
    }
}
