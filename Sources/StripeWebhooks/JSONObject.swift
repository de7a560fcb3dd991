/// The members of a JSON object: looked up by name, iterated in document order.
///
/// Equality compares members by name and ignores order (RFC 8259 §4: an object is unordered).
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Member names in the order they were added.
    public private(set) var keys: [String]
    /// Member values by name.
    private var values: [String: JSONValue]

    /// An empty object.
    public init() {
        keys = []
        values = [:]
    }

    /// An object with `members` in order; a repeated name keeps its first position and its last value.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in members {
            self[key] = value
        }
    }

    /// An object from a literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// Whether there are no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value of the member `key`; setting nil removes it, setting a new name appends it.
    public subscript(key: String) -> JSONValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Adds a member the object does not have yet; returns false if it already had one of that name.
    ///
    /// On false the stored value has been replaced; the parser treats that as an error and discards the object.
    mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        guard values.updateValue(value, forKey: key) == nil else { return false }
        keys.append(key)
        return true
    }

    /// Iterates `(key, value)` pairs in document order.
    public func makeIterator() -> Iterator {
        Iterator(keys: keys.makeIterator(), values: values)
    }

    /// Walks the members in document order.
    public struct Iterator: IteratorProtocol {
        /// The remaining names.
        var keys: IndexingIterator<[String]>
        /// All values by name.
        let values: [String: JSONValue]

        /// The next `(key, value)` pair, or nil at the end.
        public mutating func next() -> (key: String, value: JSONValue)? {
            guard let key = keys.next(), let value = values[key] else { return nil }
            return (key: key, value: value)
        }
    }

    /// Same members with the same values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.values == rhs.values
    }
}
