/// The members of a JSON object: looked up by name, iterated in document order.
///
/// Equality compares members by name and ignores order (RFC 8259 §4: an object is unordered).
/// Small objects are searched linearly, comparing a fingerprint of each name (its length and first
/// bytes) before any bytes; objects with more than ``indexThreshold`` members also keep a name index,
/// so parsing the many small objects of an event never pays for hashing.
///
/// Names match when their UTF-8 bytes are equal (RFC 8259 §8.3: compare code unit by code unit), not
/// by `String`'s canonical equivalence: `"é"` and `"e\u0301"` are two different members, as they are
/// for every other JSON reader, whatever the object's size.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Member count above which lookups go through a dictionary instead of a linear scan.
    public static let indexThreshold = 64

    /// The members in document order.
    private var members: [(key: String, value: JSONValue)]
    /// Each member's name fingerprint, by position.
    private var fingerprints: [UInt64]
    /// Position of each member by name, once there are more than `indexThreshold` members.
    private var index: [UTF8Key: Int]?

    /// An empty object.
    public init() {
        members = []
        fingerprints = []
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
                fingerprints.remove(at: existing)
                rebuildIndex()
            case (nil, nil):
                break
            }
        }
    }

    /// Adds a member the object does not have yet; returns false, changing nothing, if it already has
    /// one. `fingerprint` is the name's ``fingerprint(_:)``, which the parser has from the raw bytes.
    mutating func insertNew(_ key: String, fingerprint: UInt64, _ value: JSONValue) -> Bool {
        guard position(of: key, fingerprint: fingerprint) == nil else { return false }
        append(key, fingerprint: fingerprint, value)
        return true
    }

    /// Appends a member known to be new.
    private mutating func append(_ key: String, _ value: JSONValue) {
        append(key, fingerprint: Self.fingerprint(key), value)
    }

    /// Appends a member known to be new, with its name's fingerprint.
    private mutating func append(_ key: String, fingerprint: UInt64, _ value: JSONValue) {
        members.append((key: key, value: value))
        fingerprints.append(fingerprint)
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
        return position(of: key, fingerprint: Self.fingerprint(key))
    }

    /// The position of the member `key`, whose fingerprint is `fingerprint`.
    private func position(of key: String, fingerprint: UInt64) -> Int? {
        if let index {
            return index[UTF8Key(key)]
        }
        return fingerprints.withUnsafeBufferPointer { prints in
            for position in prints.indices where prints[position] == fingerprint {
                if UTF8Key.sameBytes(members[position].key, key) { return position }
            }
            return nil
        }
    }

    /// A name's length and first eight bytes mixed into one integer: different names almost always
    /// differ here, so a scan compares whole names only on a match.
    static func fingerprint(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var prefix: UInt64 = 0
        if utf8.count >= 8, let base = utf8.baseAddress {
            prefix = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
        } else {
            for offset in 0..<utf8.count { prefix |= UInt64(utf8[offset]) << (8 * offset) }
        }
        return prefix ^ (UInt64(truncatingIfNeeded: utf8.count) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The fingerprint of `key`'s UTF-8 bytes.
    static func fingerprint(_ key: String) -> UInt64 {
        if let print = key.utf8.withContiguousStorageIfAvailable({ fingerprint($0) }) { return print }
        return Array(key.utf8).withUnsafeBufferPointer { fingerprint($0) }
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
