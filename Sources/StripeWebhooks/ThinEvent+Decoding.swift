extension ThinEvent {
    /// Decodes a verified request body into a thin event.
    ///
    /// Checks, in order: valid JSON → a JSON object → not a snapshot event → `object` is `v2.core.event` →
    /// `id` → `type` → `created` (an RFC 3339 string) → `livemode` (Boolean) → `context` (string or null) →
    /// `related_object` (null, or an object with string `type` and `url` and a string or absent `id`) →
    /// `reason` (object or null) → `snapshot_event` (string or null). Unknown fields and `data` are kept
    /// or ignored, never refused.
    public static func decode(from body: [UInt8]) throws(EventDecodingError) -> ThinEvent {
        let document: JSONValue
        do {
            document = try JSONParser().parse(body)
        } catch {
            throw EventDecodingError(reason: .invalidJSON, message: "the body is not valid JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw EventDecodingError(
                reason: .notAnObject, message: "the body is a JSON \(document.kindName), not an event object"
            )
        }
        let object = members["object"]?.stringValue
        if object == "event" {
            throw EventDecodingError(
                reason: .snapshotEvent,
                message: "this is a snapshot event (object \"event\"); send snapshot events to a snapshot-event "
                    + "endpoint (an event destination with the snapshot payload style and its own signing secret), "
                    + "not to this thin-event endpoint"
            )
        }
        guard object == objectValue else {
            let found = object.map { "\"\($0)\"" } ?? members["object"]?.kindName ?? "absent"
            throw EventDecodingError(
                reason: .notAnEvent, message: "the body's \"object\" is \(found); expected \"\(objectValue)\""
            )
        }
        let id = try requiredString(members["id"], "id", missing: .missingID)
        let type = try requiredString(members["type"], "type", missing: .missingType)
        guard let created = members["created"], !created.isNull else { throw missing("created") }
        guard case .string(let createdText) = created, let createdSeconds = RFC3339Timestamp.unixSeconds(createdText) else {
            throw invalid("created", expected: "an RFC 3339 date-time string such as \"2024-09-17T06:20:52.246Z\"", found: created)
        }
        guard let livemode = members["livemode"], !livemode.isNull else { throw missing("livemode") }
        guard case .bool(let isLive) = livemode else {
            throw invalid("livemode", expected: "true or false", found: livemode)
        }
        let context = try optionalString(members["context"], "context")
        let reason = members["reason"].flatMap { $0.isNull ? nil : $0 }
        if let reason, reason.objectValue == nil {
            throw invalid("reason", expected: "an object or null", found: reason)
        }
        return ThinEvent(
            id: id, type: EventType(type), created: createdText, createdSeconds: createdSeconds, livemode: isLive,
            context: context?.isEmpty == true ? nil : context, relatedObject: try relatedObject(members["related_object"]),
            reason: reason, snapshotEvent: try optionalString(members["snapshot_event"], "snapshot_event"),
            data: members["data"].flatMap { $0.isNull ? nil : $0 }
        )
    }

    /// Reads `related_object`: null or absent, or an object with `type`, `url` and (except for singleton
    /// resources) `id`.
    private static func relatedObject(_ value: JSONValue?) throws(EventDecodingError) -> RelatedObject? {
        switch value {
        case nil, .null?:
            return nil
        case .object(let members)?:
            return RelatedObject(
                id: try optionalString(members["id"], "related_object.id"),
                type: try requiredString(members["type"], "related_object.type", missing: .missingField),
                url: try requiredString(members["url"], "related_object.url", missing: .missingField)
            )
        case let other?:
            throw invalid("related_object", expected: "an object or null", found: other)
        }
    }

    /// A required non-empty string field; absent or null is `missing`.
    private static func requiredString(
        _ member: JSONValue?, _ field: String, missing: EventDecodingError.Reason
    ) throws(EventDecodingError) -> String {
        guard let value = member, !value.isNull else {
            throw EventDecodingError(
                reason: missing, message: "the event has no \"\(field)\"", field: missing == .missingField ? field : nil
            )
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

    /// The error for an absent required field.
    private static func missing(_ field: String) -> EventDecodingError {
        EventDecodingError(reason: .missingField, message: "the event has no \"\(field)\"", field: field)
    }

    /// The error for a field of the wrong JSON type or form.
    private static func invalid(_ field: String, expected: String, found: JSONValue) -> EventDecodingError {
        let detail: String
        switch found {
        case .string(""): detail = "an empty string"
        case .string(let text) where field == "created": detail = "\"\(text.prefix(64))\""
        default: detail = found.kindName
        }
        return EventDecodingError(
            reason: .invalidField, message: "\"\(field)\" must be \(expected), found \(detail)", field: field
        )
    }
}
