import Testing
@testable import StripeWebhooks

/// `StripeEvent.decode` checks the whole body but builds only the envelope; these tests hold it to
/// the result of building everything with `JSONParser` and applying the same rules to the tree:
/// the same verdict, the same error (reason, message, position), the same event.
struct EventDecodingEquivalenceTests {
    // MARK: The reference: the full tree, then the rules

    /// Decodes by parsing everything first, as decoding did before it skipped `data.object`.
    static func referenceDecode(_ body: [UInt8]) -> Result<StripeEvent, EventDecodingError> {
        let value: JSONValue
        do {
            value = try JSONParser().parse(body)
        } catch {
            return .failure(EventDecodingError(reason: .invalidJSON, message: "the body is not valid JSON: \(error)"))
        }
        guard case .object(let root) = value else {
            return .failure(EventDecodingError(reason: .notAnObject, message: "the body is a JSON \(value.kindName), not an event object"))
        }
        let object = root["object"]?.stringValue
        if object == StripeEvent.thinEventObject {
            return .failure(EventDecodingError(reason: .thinEvent, message: "this is a thin event (object \"v2.core.event\"); send thin events to a thin-event endpoint (an event destination with its own signing secret), not to this snapshot-event endpoint"))
        }
        guard object == "event" else {
            let found = object.map { "\"\($0)\"" } ?? root["object"]?.kindName ?? "absent"
            return .failure(EventDecodingError(reason: .notAnEvent, message: "the body's \"object\" is \(found); expected \"event\""))
        }
        func required(_ field: String, _ reason: EventDecodingError.Reason) -> Result<String, EventDecodingError> {
            guard let value = root[field], !value.isNull else {
                return .failure(EventDecodingError(reason: reason, message: "the event has no \"\(field)\""))
            }
            guard case .string(let string) = value, !string.isEmpty else { return .failure(invalid(field, "a non-empty string", value)) }
            return .success(string)
        }
        func optional(_ value: JSONValue?, _ field: String) -> Result<String?, EventDecodingError> {
            switch value {
            case nil, .null?: .success(nil)
            case .string(let string)?: .success(string)
            case let other?: .failure(invalid(field, "a string or null", other))
            }
        }
        do {
            let id = try required("id", .missingID).get()
            let type = try required("type", .missingType).get()
            guard let created = root["created"] else { throw missing("created") }
            guard case .int(let createdSeconds) = created else { throw invalid("created", "an integer (Unix seconds)", created) }
            guard let livemode = root["livemode"] else { throw missing("livemode") }
            guard case .bool(let isLive) = livemode else { throw invalid("livemode", "true or false", livemode) }
            let apiVersion = try optional(root["api_version"], "api_version").get()
            guard let data = root["data"], !data.isNull else {
                throw EventDecodingError(reason: .missingData, message: "the event has no \"data\"")
            }
            guard case .object(let members) = data else { throw invalid("data", "an object", data) }
            guard let dataObject = members["object"], !dataObject.isNull else {
                throw EventDecodingError(reason: .missingData, message: "the event has no \"data.object\"")
            }
            guard case .object = dataObject else { throw invalid("data.object", "an object", dataObject) }
            var previous = members["previous_attributes"]
            if previous?.isNull == true { previous = nil }
            if let previous, previous.objectValue == nil { throw invalid("data.previous_attributes", "an object or null", previous) }
            let request: EventRequest?
            switch root["request"] {
            case nil, .null?: request = nil
            case .string(let requestID)?: request = EventRequest(id: requestID, idempotencyKey: nil)
            case .object(let fields)?:
                request = EventRequest(
                    id: try optional(fields["id"], "request.id").get(),
                    idempotencyKey: try optional(fields["idempotency_key"], "request.idempotency_key").get()
                )
            case let other?: throw invalid("request", "an object, a string or null", other)
            }
            let account = try optional(root["account"], "account").get()
            let pending: Int64?
            switch root["pending_webhooks"] {
            case nil, .null?: pending = nil
            case .int(let count)?: pending = count
            case let other?: throw invalid("pending_webhooks", "an integer or null", other)
            }
            let context = try optional(root["context"], "context").get()
            return .success(StripeEvent(
                id: id, type: EventType(type), created: createdSeconds, livemode: isLive, apiVersion: apiVersion,
                data: EventData(object: dataObject, objectRawJSON: [], previousAttributes: previous),
                request: request, account: account, pendingWebhooks: pending, context: context
            ))
        } catch let error as EventDecodingError {
            return .failure(error)
        } catch {
            return .failure(EventDecodingError(reason: .invalidJSON, message: "unexpected \(error)"))
        }
    }

    static func missing(_ field: String) -> EventDecodingError {
        EventDecodingError(reason: .missingField, message: "the event has no \"\(field)\"", field: field)
    }

    static func invalid(_ field: String, _ expected: String, _ found: JSONValue) -> EventDecodingError {
        let detail = if case .string("") = found { "an empty string" } else { found.kindName }
        return EventDecodingError(reason: .invalidField, message: "\"\(field)\" must be \(expected), found \(detail)", field: field)
    }

    /// Checks one body against the reference; returns a description of the difference, if any.
    static func difference(_ body: [UInt8]) -> String? {
        let decoded = Result { () throws(EventDecodingError) in try StripeEvent.decode(from: body) }
        switch (decoded, referenceDecode(body)) {
        case (.failure(let error), .failure(let expected)):
            return error == expected ? nil : "error \(error) ≠ \(expected)"
        case (.success(let event), .success(let expected)):
            if event.id != expected.id || event.type != expected.type || event.created != expected.created
                || event.livemode != expected.livemode || event.apiVersion != expected.apiVersion
                || event.request != expected.request || event.account != expected.account
                || event.pendingWebhooks != expected.pendingWebhooks || event.context != expected.context {
                return "envelope \(event) ≠ \(expected)"
            }
            if event.data.object != expected.data.object || event.data.previousAttributes != expected.data.previousAttributes {
                return "data differs"
            }
            if event.objectID != expected.data.object["id"]?.stringValue || event.objectType != expected.data.object["object"]?.stringValue {
                return "object identity differs"
            }
            if (try? JSONParser().parse(event.data.objectRawJSON)) != expected.data.object {
                return "objectRawJSON is not data.object"
            }
            return nil
        case (.success, .failure(let expected)):
            return "decoded, but the reference fails with \(expected)"
        case (.failure(let error), .success):
            return "fails with \(error), but the reference decodes"
        }
    }

    // MARK: Bodies

    /// A small event to build cases around.
    static func event(object: String = #"{"id": "pi_1", "object": "payment_intent", "amount": 5}"#, extra: String = "") -> [UInt8] {
        Array(#"{"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": 1, "livemode": false, "api_version": null, "data": {"object": \#(object)}\#(extra)}"#.utf8)
    }

    static let handWritten: [(String, [UInt8])] = [
        ("plain", event()),
        ("duplicate name deep in data.object", event(object: #"{"id": "pi_1", "a": {"b": 1, "c": 2, "b": 3}}"#)),
        ("duplicate id in data.object", event(object: #"{"id": "pi_1", "id": "pi_2"}"#)),
        ("duplicate through an escape", event(object: #"{"id": "pi_1", "i\u0064": "pi_2"}"#)),
        ("duplicate top-level member", event(extra: #", "type": "x""#)),
        ("duplicate unknown top-level member", event(extra: #", "zz": 1, "zz": 2"#)),
        ("duplicate data member", event(extra: "").replacing(Array(#""data": {"#.utf8), with: Array(#""data": {"x": 1, "x": 2, "#.utf8))),
        ("canonically equivalent names are different", event(object: #"{"id": "pi_1", "é": 1, "é": 2}"#)),
        ("the same name twice after 70 others", event(object: "{" + (0..<70).map { "\"k\($0)\": \($0)" }.joined(separator: ", ") + #", "k7": 0}"#)),
        ("70 different names", event(object: "{" + (0..<70).map { "\"k\($0)\": \($0)" }.joined(separator: ", ") + "}")),
        ("huge number in data.object", event(object: #"{"n": 1e400}"#)),
        ("long integer in data.object", event(object: #"{"n": 123456789012345678901234567890}"#)),
        ("fraction in data.object", event(object: #"{"n": -0.5e-3}"#)),
        ("leading zero in data.object", event(object: #"{"n": 01}"#)),
        ("bad literal in data.object", event(object: #"{"n": nul}"#)),
        ("control character in a skipped string", event(object: "{\"s\": \"a\u{1}b\"}")),
        ("invalid escape in a skipped string", event(object: #"{"s": "a\qb"}"#)),
        ("lone surrogate in a skipped string", event(object: #"{"s": "\ud800"}"#)),
        ("escaped name and value", event(object: #"{"\u0069d": "pi_\u0031", "t\"x": "\u00e9\ud83d\ude00"}"#)),
        ("data.object is an array", event(object: "[1, 2]")),
        ("data.object is a string", event(object: #""pi_1""#)),
        ("data.object is null", event(object: "null")),
        ("data.object with no id", event(object: #"{"object": "balance"}"#)),
        ("data.object id is a number", event(object: #"{"id": 5}"#)),
        ("nesting at the limit inside data.object", event(object: "{\"a\": " + String(repeating: "[", count: 125) + String(repeating: "]", count: 125) + "}")),
        ("nesting beyond the limit inside data.object", event(object: "{\"a\": " + String(repeating: "[", count: 126) + String(repeating: "]", count: 126) + "}")),
        ("unknown top-level member with bad JSON", event(extra: #", "zz": [1,]"#)),
        ("previous attributes", event(extra: "").replacing(Array(#""data": {"#.utf8), with: Array(#""data": {"previous_attributes": {"a": 1}, "#.utf8))),
        ("previous attributes not an object", event(extra: "").replacing(Array(#""data": {"#.utf8), with: Array(#""data": {"previous_attributes": 5, "#.utf8))),
        ("not an object", Array("[1]".utf8)),
        ("trailing garbage", event() + Array(" x".utf8)),
        ("empty", []),
    ]

    @Test(arguments: handWritten.indices)
    func handWrittenBody_decodesLikeTheFullTree(_ index: Int) {
        let (name, body) = Self.handWritten[index]
        #expect(Self.difference(body) == nil, "\(name)")
    }

    @Test(arguments: Samples.names)
    func sample_decodesLikeTheFullTree(_ name: String) throws {
        #expect(Self.difference(try Samples.bytes(name)) == nil)
    }

    @Test func mutatedSamples_decodeLikeTheFullTree() throws {
        var random = SeededGenerator(seed: 0xDEC0_DE5E)
        let samples = try Samples.names.map { try Samples.bytes($0) }
        let alphabet = Array("{}[]\",:0-eE.\\ntfu\u{0}\u{1F} ".utf8) + [0x80, 0xC3, 0xA9, 0xED, 0xF4]
        var accepted = 0
        var differences: [String] = []
        for round in 0..<6000 {
            var bytes = samples.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                case 2: bytes.remove(at: position)
                case 3:
                    // Repeat a slice: often duplicates a member.
                    let end = min(bytes.count, position + Int.random(in: 1...80, using: &random))
                    bytes.insert(contentsOf: bytes[position..<end], at: end)
                case 4: bytes.insert(contentsOf: Array(#"\u0041"#.utf8), at: position)
                default: bytes.removeSubrange(position...)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            if let difference = Self.difference(bytes) {
                differences.append("round \(round): \(difference)")
            } else if (try? StripeEvent.decode(from: bytes)) != nil {
                accepted += 1
            }
        }
        #expect(differences.isEmpty, "\(differences.count) differences, first: \(differences.prefix(3))")
        #expect(accepted > 500, "mutations that keep the body valid still decode")
    }
}

extension Array where Element == UInt8 {
    /// The bytes with the first occurrence of `target` replaced by `replacement`.
    func replacing(_ target: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard let start = (0...(count - target.count)).first(where: { Array(self[$0..<($0 + target.count)]) == target }) else { return self }
        return Array(self[..<start]) + replacement + Array(self[(start + target.count)...])
    }
}
