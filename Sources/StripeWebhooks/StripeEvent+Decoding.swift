extension StripeEvent {
    /// The `object` value of thin events, which this decoder refuses (Stripe rule §3).
    public static let thinEventObject = "v2.core.event"

    /// Decodes a verified request body into an event.
    ///
    /// Checks, in order: valid JSON → a JSON object → not a thin event → `object` is `event` → `id` →
    /// `type` → `created` (integer) → `livemode` (Boolean) → `api_version` (string or null) →
    /// `data.object` (an object) → the optional fields' types. Unknown fields are ignored.
    public static func decode(from body: [UInt8]) throws(EventDecodingError) -> StripeEvent {
        let envelope: EventEnvelope
        do {
            envelope = try body.withUnsafeBufferPointer { EventEnvelope.read($0) }.get()
        } catch {
            throw EventDecodingError(reason: .invalidJSON, message: "the body is not valid JSON: \(error)")
        }
        if let document = envelope.nonObject {
            throw EventDecodingError(
                reason: .notAnObject, message: "the body is a JSON \(document.kindName), not an event object"
            )
        }
        let object = envelope.object?.stringValue
        if object == thinEventObject {
            throw EventDecodingError(
                reason: .thinEvent,
                message: "this is a thin event (object \"\(thinEventObject)\"); send thin events to a thin-event "
                    + "endpoint (an event destination with its own signing secret), not to this snapshot-event endpoint"
            )
        }
        guard object == "event" else {
            let found = object.map { "\"\($0)\"" } ?? envelope.object?.kindName ?? "absent"
            throw EventDecodingError(
                reason: .notAnEvent, message: "the body's \"object\" is \(found); expected \"event\""
            )
        }
        let id = try requiredString(envelope.id, "id", missing: .missingID)
        let type = try requiredString(envelope.type, "type", missing: .missingType)
        guard let created = envelope.created else { throw missing("created") }
        guard case .int(let createdSeconds) = created else {
            throw invalid("created", expected: "an integer (Unix seconds)", found: created)
        }
        guard let livemode = envelope.livemode else { throw missing("livemode") }
        guard case .bool(let isLive) = livemode else {
            throw invalid("livemode", expected: "true or false", found: livemode)
        }
        let apiVersion = try optionalString(envelope.apiVersion, "api_version")
        let data = try eventData(body: body, envelope: envelope)
        return StripeEvent(
            id: id, object: "event", type: EventType(type), created: createdSeconds, livemode: isLive,
            apiVersion: apiVersion, data: data, request: try eventRequest(envelope.request),
            account: try optionalString(envelope.account, "account"),
            pendingWebhooks: try optionalInteger(envelope.pendingWebhooks, "pending_webhooks"),
            context: try optionalString(envelope.context, "context")
        )
    }

    /// Reads `data.object` (required, an object, with its raw bytes) and `data.previous_attributes`.
    private static func eventData(body: [UInt8], envelope: EventEnvelope) throws(EventDecodingError) -> EventData {
        let objectMember: JSONValue?
        var previous: JSONValue?
        switch envelope.data {
        case nil, .other(.null)?:
            throw EventDecodingError(reason: .missingData, message: "the event has no \"data\"")
        case .other(let data)?:
            throw invalid("data", expected: "an object", found: data)
        case .object(let object, let previousAttributes)?:
            objectMember = object
            previous = previousAttributes
        }
        guard let object = objectMember, !object.isNull else {
            throw EventDecodingError(reason: .missingData, message: "the event has no \"data.object\"")
        }
        guard case .object = object, let objectRange = envelope.objectRange else {
            throw invalid("data.object", expected: "an object", found: object)
        }
        if previous?.isNull == true { previous = nil }
        if let previous, previous.objectValue == nil {
            throw invalid("data.previous_attributes", expected: "an object or null", found: previous)
        }
        return EventData(
            objectIn: body, range: objectRange, id: envelope.objectID, type: envelope.objectType,
            previousAttributes: previous
        )
    }

    /// Reads `request`: an object with nullable `id` and `idempotency_key`, a bare id string (API versions
    /// before 2017-05-25), or null.
    private static func eventRequest(_ value: JSONValue?) throws(EventDecodingError) -> EventRequest? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let id)?:
            return EventRequest(id: id, idempotencyKey: nil)
        case .object(let members)?:
            return EventRequest(
                id: try optionalString(members["id"], "request.id"),
                idempotencyKey: try optionalString(members["idempotency_key"], "request.idempotency_key")
            )
        case let other?:
            throw invalid("request", expected: "an object, a string or null", found: other)
        }
    }

    /// A required non-empty string field; absent or null is `missing`.
    private static func requiredString(
        _ member: JSONValue?,
        _ field: String,
        missing: EventDecodingError.Reason
    ) throws(EventDecodingError) -> String {
        guard let value = member, !value.isNull else {
            throw EventDecodingError(reason: missing, message: "the event has no \"\(field)\"")
        }
        guard case .string(let string) = value, !string.isEmpty else {
            throw invalid(field, expected: "a non-empty string", found: value)
        }
        return string
    }

    /// An optional string field: absent or null gives nil; any other non-string is invalid.
    private static func optionalString(_ value: JSONValue?, _ field: String) throws(EventDecodingError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let string)?: return string
        case let other?: throw invalid(field, expected: "a string or null", found: other)
        }
    }

    /// An optional integer field: absent or null gives nil; any other non-integer is invalid.
    private static func optionalInteger(_ value: JSONValue?, _ field: String) throws(EventDecodingError) -> Int64? {
        switch value {
        case nil, .null?: return nil
        case .int(let integer)?: return integer
        case let other?: throw invalid(field, expected: "an integer or null", found: other)
        }
    }

    /// The error for an absent required field.
    private static func missing(_ field: String) -> EventDecodingError {
        EventDecodingError(reason: .missingField, message: "the event has no \"\(field)\"", field: field)
    }

    /// The error for a field of the wrong JSON type.
    private static func invalid(_ field: String, expected: String, found: JSONValue) -> EventDecodingError {
        let detail = if case .string("") = found { "an empty string" } else { found.kindName }
        return EventDecodingError(
            reason: .invalidField, message: "\"\(field)\" must be \(expected), found \(detail)", field: field
        )
    }
}

extension JSONValue {
    /// The JSON type's name with an article, for error messages: `an array`, `a string`, ...
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a Boolean"
        case .int: "an integer"
        case .double: "a non-integer number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
