/// An event's `data`: the resource as it was when the event happened (Stripe rule §3).
///
/// Decoding checks all of `data.object` but builds only its `id` and `object` members; the rest is
/// built the first time ``object`` is read (once per event, from any thread), since a receiver that
/// only stores events never needs it.
public struct EventData: Sendable, Equatable {
    /// `data.object`, parsed.
    public var object: JSONValue { storage.object }
    /// `data.object` exactly as received: a byte-for-byte slice of the request body.
    public var objectRawJSON: [UInt8] { Array(storage.raw) }
    /// The members of `data.object` named in `names` that it has, built alone: when the object has not
    /// been built yet, its other members are stepped over, not built, and reading stops after the last
    /// one asked for (a handler that logs three fields does not pay for the whole tree).
    public func objectMembers(named names: [String]) -> [String: JSONValue] {
        storage.members(named: names)
    }
    /// `data.previous_attributes`: the changed fields' old values, on `*.updated` events; nil when absent or null.
    public let previousAttributes: JSONValue?
    /// The `id` member of `data.object`, read without building the rest of it.
    let objectIDMember: JSONValue?
    /// The `object` member of `data.object`, read without building the rest of it.
    let objectTypeMember: JSONValue?
    /// The raw bytes and, once built, the parsed object.
    private let storage: Storage

    /// Creates event data.
    /// - Parameters:
    ///   - object: `data.object`, parsed.
    ///   - objectRawJSON: `data.object`'s bytes as received.
    ///   - previousAttributes: `data.previous_attributes`, if present.
    public init(object: JSONValue, objectRawJSON: [UInt8], previousAttributes: JSONValue?) {
        self.previousAttributes = previousAttributes
        objectIDMember = object["id"]
        objectTypeMember = object["object"]
        storage = Storage(raw: objectRawJSON[...], parsed: object)
    }

    /// Event data whose object is the already-checked JSON object at `range` of `body`, built on first use.
    init(objectIn body: [UInt8], range: Range<Int>, id: JSONValue?, type: JSONValue?, previousAttributes: JSONValue?) {
        self.previousAttributes = previousAttributes
        objectIDMember = id
        objectTypeMember = type
        storage = Storage(raw: body[range], parsed: nil)
    }

    /// Same object, same raw bytes, same previous attributes.
    public static func == (lhs: EventData, rhs: EventData) -> Bool {
        lhs.previousAttributes == rhs.previousAttributes && lhs.storage.raw.elementsEqual(rhs.storage.raw)
            && lhs.object == rhs.object
    }

    /// The raw object and its parsed form, built at most once.
    private final class Storage: @unchecked Sendable {
        // @unchecked: `parsed` is read and written only with `lock` held.
        /// `data.object`'s bytes, sharing the body's storage.
        let raw: ArraySlice<UInt8>
        /// Guards `parsed`.
        private let lock = ThreadLock()
        /// The parsed object, once built.
        private var parsed: JSONValue?

        /// Wraps the raw bytes and, when known, the parsed value.
        init(raw: ArraySlice<UInt8>, parsed: JSONValue?) {
            self.raw = raw
            self.parsed = parsed
        }

        /// The named members of the object: from the parsed object once built, else read alone from `raw`.
        func members(named names: [String]) -> [String: JSONValue] {
            var found: [String: JSONValue] = [:]
            if let built = lock.withLock({ parsed }) {
                for name in names {
                    if let value = built[name] { found[name] = value }
                }
                return found
            }
            let wanted = names.map { Array($0.utf8) }
            do {
                let values = try raw.withUnsafeBufferPointer { bytes throws(JSONParseError) in
                    var reader = JSONReader(bytes: bytes, maximumDepth: JSONParser.defaultMaximumDepth)
                    try reader.startDocument()
                    return try reader.readMembers(named: wanted)
                }
                for (name, value) in zip(names, values) {
                    if let value { found[name] = value }
                }
            } catch {
                // Unreachable: decoding accepted these bytes under the same rules.
                assertionFailure("data.object no longer parses: \(error)")
                return [:]
            }
            return found
        }

        /// The parsed object, building it on first use.
        var object: JSONValue {
            lock.withLock {
                if let parsed { return parsed }
                let built: JSONValue
                do {
                    built = try raw.withUnsafeBytes { bytes throws(JSONParseError) in try JSONParser().parse(bytes) }
                } catch {
                    // Unreachable: decoding accepted these bytes under the same rules.
                    assertionFailure("data.object no longer parses: \(error)")
                    built = .null
                }
                parsed = built
                return built
            }
        }
    }
}
