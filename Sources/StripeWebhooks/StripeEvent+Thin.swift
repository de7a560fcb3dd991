extension StripeEvent {
    /// A thin event seen through the snapshot event's shape, so that routers, patterns and handlers
    /// written for ``StripeEvent`` take thin events too: the same `id`, `type`, `livemode` and
    /// `context`, `created` in Unix seconds, ``objectID`` and ``objectType`` from `related_object`,
    /// `object` `v2.core.event`, no API version, and an empty `data.object` (thin payloads carry no
    /// object state). The thin event itself is ``thin``.
    public init(thin event: ThinEvent) {
        self.init(
            id: event.id, object: ThinEvent.objectValue, type: event.type, created: event.createdSeconds,
            livemode: event.livemode, apiVersion: nil,
            data: EventData(object: .object(JSONObject()), objectRawJSON: Array("{}".utf8), previousAttributes: nil),
            request: nil, context: event.context, thin: event
        )
    }

    /// The event's payload style: thin when it arrived as a thin event.
    public var payloadStyle: PayloadStyle { thin == nil ? .snapshot : .thin }

    /// Decodes a verified body of the given style: ``decode(from:)`` for snapshot events, or
    /// ``ThinEvent/decode(from:)`` seen through ``init(thin:)`` for thin events. With no style, the body's
    /// own `object` decides (for bodies already accepted once, such as stored ones).
    public static func decode(from body: [UInt8], style: PayloadStyle?) throws(EventDecodingError) -> StripeEvent {
        switch style {
        case .snapshot?:
            return try decode(from: body)
        case .thin?:
            return StripeEvent(thin: try ThinEvent.decode(from: body))
        case nil:
            // Snapshot first: a thin body fails its checks at once, at `object`, so neither style pays twice.
            do {
                return try decode(from: body)
            } catch where error.reason == .thinEvent {
                return StripeEvent(thin: try ThinEvent.decode(from: body))
            }
        }
    }
}
