/// The member names of one large object being walked, in an open-addressing hash table, so that
/// finding a duplicate name stays O(1) however many members an object has. Hashing goes through
/// `Hasher`, which is seeded per process, so a sender cannot choose names that all collide.
struct MemberNameTable {
    /// Positions in `JSONReader.walkedNames`, or -1 for an empty slot; the count is a power of two.
    private var slots: [Int]
    /// Names stored.
    private var count = 0

    /// A table with room for at least `capacity` names before it grows.
    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size *= 2 }
        slots = Array(repeating: -1, count: size)
    }

    /// Adds the name at `position` of `reader.walkedNames`; false, adding nothing, when an equal name is in.
    mutating func insert(_ position: Int, reader: JSONReader) -> Bool {
        if 2 * (count + 1) > slots.count { grow(reader: reader) }
        let name = reader.walkedNames[position]
        let mask = slots.count - 1
        var slot = hash(name, reader: reader) & mask
        while slots[slot] >= 0 {
            if reader.sameName(reader.walkedNames[slots[slot]], name) { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = position
        count += 1
        return true
    }

    /// Doubles the slots and re-inserts every name.
    private mutating func grow(reader: JSONReader) {
        let old = slots
        slots = Array(repeating: -1, count: old.count * 2)
        let mask = slots.count - 1
        for position in old where position >= 0 {
            var slot = hash(reader.walkedNames[position], reader: reader) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = position
        }
    }

    /// The name's hash.
    private func hash(_ name: JSONReader.MemberName, reader: JSONReader) -> Int {
        reader.withBytes(of: name) { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
    }
}
