/// What decoding needs from an event body, read in one strict pass over the whole document (every
/// rule of ``JSONParser`` applies everywhere, duplicate names included) that builds only what
/// ``StripeEvent/decode(from:)`` looks at: the envelope's members, `data.previous_attributes`, and of
/// `data.object` only its `id` and `object` members and where its bytes are. The rest is checked and
/// skipped, which is most of the body and most of the work of building it.
struct EventEnvelope {
    /// What the document's `data` member is.
    enum DataMember {
        /// An object: its `object` member (nil when absent; an empty object standing in for one that
        /// was skipped) and its `previous_attributes`.
        case object(object: JSONValue?, previousAttributes: JSONValue?)
        /// Anything else.
        case other(JSONValue)
    }

    /// The whole document, when it is not an object (decoding then says what it is).
    var nonObject: JSONValue?
    /// The top-level `id`.
    var id: JSONValue?
    /// The top-level `object`.
    var object: JSONValue?
    /// The top-level `type`.
    var type: JSONValue?
    /// The top-level `created`.
    var created: JSONValue?
    /// The top-level `livemode`.
    var livemode: JSONValue?
    /// The top-level `api_version`.
    var apiVersion: JSONValue?
    /// The top-level `request`.
    var request: JSONValue?
    /// The top-level `account`.
    var account: JSONValue?
    /// The top-level `pending_webhooks`.
    var pendingWebhooks: JSONValue?
    /// The top-level `context`.
    var context: JSONValue?
    /// The top-level `data`.
    var data: DataMember?
    /// Where `data.object`'s bytes are, when it is an object.
    var objectRange: Range<Int>?
    /// `data.object.id`, when `data.object` is an object that has it.
    var objectID: JSONValue?
    /// `data.object.object`, when `data.object` is an object that has it.
    var objectType: JSONValue?

    /// Reads `bytes`; fails with the first JSON error anywhere in the document.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<EventEnvelope, JSONParseError> {
        var reader = JSONReader(bytes: bytes, maximumDepth: JSONParser.defaultMaximumDepth)
        var envelope = EventEnvelope()
        do {
            try reader.startDocument()
            if reader.peek() == ASCII.openBrace {
                try reader.walkObject { reader, name throws(JSONParseError) in
                    try envelope.readMember(name, with: &reader)
                }
            } else {
                envelope.nonObject = try reader.readValue()
            }
            try reader.finishDocument()
        } catch {
            return .failure(error)
        }
        return .success(envelope)
    }

    /// Reads one top-level member.
    private mutating func readMember(_ name: JSONReader.MemberName, with reader: inout JSONReader) throws(JSONParseError) {
        // Names by length first: one comparison of bytes at most.
        switch name.count {
        case 2 where reader.name(name, is: "id"): id = try reader.readValue()
        case 4 where reader.name(name, is: "type"): type = try reader.readValue()
        case 4 where reader.name(name, is: "data"): try readData(with: &reader)
        case 6 where reader.name(name, is: "object"): object = try reader.readValue()
        case 7 where reader.name(name, is: "created"): created = try reader.readValue()
        case 7 where reader.name(name, is: "request"): request = try reader.readValue()
        case 7 where reader.name(name, is: "account"): account = try reader.readValue()
        case 7 where reader.name(name, is: "context"): context = try reader.readValue()
        case 8 where reader.name(name, is: "livemode"): livemode = try reader.readValue()
        case 11 where reader.name(name, is: "api_version"): apiVersion = try reader.readValue()
        case 16 where reader.name(name, is: "pending_webhooks"): pendingWebhooks = try reader.readValue()
        default: _ = try reader.skipValue()
        }
    }

    /// Reads `data`: builds `previous_attributes`, skips `data.object` but for its `id` and `object`.
    private mutating func readData(with reader: inout JSONReader) throws(JSONParseError) {
        guard reader.peek() == ASCII.openBrace else {
            data = .other(try reader.readValue())
            return
        }
        var object: JSONValue?
        var previousAttributes: JSONValue?
        try reader.walkObject { reader, name throws(JSONParseError) in
            if reader.name(name, is: "object") {
                guard reader.peek() == ASCII.openBrace else {
                    object = try reader.readValue()
                    return
                }
                let start = reader.index
                try readObjectIdentity(with: &reader)
                objectRange = start..<reader.index
                object = .object(JSONObject())
            } else if reader.name(name, is: "previous_attributes") {
                previousAttributes = try reader.readValue()
            } else {
                _ = try reader.skipValue()
            }
        }
        data = .object(object: object, previousAttributes: previousAttributes)
    }

    /// Checks `data.object`, building only its `id` and `object` members.
    private mutating func readObjectIdentity(with reader: inout JSONReader) throws(JSONParseError) {
        try reader.walkObject { reader, name throws(JSONParseError) in
            if reader.name(name, is: "id") {
                objectID = try reader.readValue()
            } else if reader.name(name, is: "object") {
                objectType = try reader.readValue()
            } else {
                _ = try reader.skipValue()
            }
        }
    }
}
