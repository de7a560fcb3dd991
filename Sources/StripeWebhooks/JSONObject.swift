/// The members of a JSON object: looked up by name, iterated in document order.
///
/// Equality compares members by name and ignores order (RFC 8259 §4: an object is unordered).
/// Small objects are searched linearly; objects with more than ``indexThreshold`` members also keep a
/// name index, so parsing the many small objects of an event never pays for hashing.
///
/// Names match when their UTF-8 bytes are equal (RFC 8259 §8.3: compare code unit by code unit), not
/// by `String`'s canonical equivalence: `"é"` and `"e\u0301"` are two different members, as they are
/// for every other JSON reader, whatever the object's size.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Member count above which lookups go through a dictionary instead of a linear scan.
    public static let indexThreshold = 16

    /// The members in document order.
    private var members: [(key: String, value: JSONValue)]
    /// Position of each member by name, once there are more than `indexThreshold` members.
    private var index: [UTF8Key: Int]?

    /// An empty object.
    public init() {
        members = []
        index = nil
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

    /// Member names in document order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether there are no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The value of the member `key`; setting nil removes it, setting a new name appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            position(of: key).map { members[$0].value }
        }
        set {
            switch (position(of: key), newValue) {
            case (let existing?, let newValue?):
                members[existing].value = newValue
            case (nil, let newValue?):
                append(key, newValue)
            case (let existing?, nil):
                members.remove(at: existing)
                rebuildIndex()
            case (nil, nil):
                break
            }
        }
    }

    /// Adds a member the object does not have yet; returns false, changing nothing, if it already has one.
    mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        guard position(of: key) == nil else { return false }
        append(key, value)
        return true
    }

    /// Appends a member known to be new.
    private mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key: key, value: value))
        if index != nil {
            index![UTF8Key(key)] = members.count - 1
        } else if members.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    /// The position of the member `key`.
    private func position(of key: String) -> Int? {
        if let index {
            return index[UTF8Key(key)]
        }
        // Comparing UTF-8 lengths first (O(1) for native strings) skips most full comparisons.
        let length = key.utf8.count
        for position in members.indices where members[position].key.utf8.count == length {
            if UTF8Key.sameBytes(members[position].key, key) { return position }
        }
        return nil
    }

    /// Recomputes the name index after a removal or when the object outgrows a linear scan.
    private mutating func rebuildIndex() {
        guard members.count > Self.indexThreshold else {
            index = nil
            return
        }
        var positions: [UTF8Key: Int] = [:]
        // Room for growth, so that parsing a large object does not rehash it repeatedly.
        positions.reserveCapacity(Swift.max(64, members.count * 2))
        for (position, member) in members.enumerated() {
            positions[UTF8Key(member.key)] = position
        }
        index = positions
    }

    /// Iterates `(key, value)` pairs in document order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    /// Same members with the same values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }
}

/// A member name hashed and compared by its UTF-8 bytes.
struct UTF8Key: Hashable {
    /// The name.
    let string: String

    /// Wraps `string`.
    init(_ string: String) { self.string = string }

    /// Whether two strings have the same UTF-8 bytes.
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        let fast = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in JSONReader.equalBytes(left, right) }
        }
        if let fast, let fast { return fast }
        return lhs.utf8.elementsEqual(rhs.utf8)
    }

    static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool { sameBytes(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
