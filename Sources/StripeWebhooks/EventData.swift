/// An event's `data`: the resource as it was when the event happened (Stripe rule §3).
public struct EventData: Sendable, Equatable {
    /// `data.object`, parsed.
    public let object: JSONValue
    /// `data.object` exactly as received: a byte-for-byte slice of the request body.
    public let objectRawJSON: [UInt8]
    /// `data.previous_attributes`: the changed fields' old values, on `*.updated` events; nil when absent or null.
    public let previousAttributes: JSONValue?

    /// Creates event data.
    /// - Parameters:
    ///   - object: `data.object`, parsed.
    ///   - objectRawJSON: `data.object`'s bytes as received.
    ///   - previousAttributes: `data.previous_attributes`, if present.
    public init(object: JSONValue, objectRawJSON: [UInt8], previousAttributes: JSONValue?) {
        self.object = object
        self.objectRawJSON = objectRawJSON
        self.previousAttributes = previousAttributes
    }
}
