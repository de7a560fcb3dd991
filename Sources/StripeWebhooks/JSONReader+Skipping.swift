#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checking values without building them: the same rules as `readValue`, the same first error, but no
/// `String`, array or object is made. Event decoding skips the parts of a body it does not need
/// (most of `data.object`) this way, and builds them later only if a handler asks.
extension JSONReader {
    /// The JSON type of a value, for error messages about values that were skipped.
    enum Kind {
        case null, bool, int, double, string, array, object
    }

    /// A member name of an object being walked: where its bytes are, and a cheap prefilter for comparisons.
    struct MemberName {
        /// Offset of the name's bytes in the document (between the quotes) or, if it had escapes, in `nameArena`.
        let start: Int
        /// The name's length in bytes (decoded, if it had escapes).
        let count: Int
        /// The bytes are decoded ones in `nameArena`.
        let isDecoded: Bool
        /// The first eight bytes, zero-padded: most different names differ here or in length.
        let prefix: UInt64
    }

    /// Objects with more members than this check duplicates through a hash table instead of a scan.
    static let memberTableThreshold = 64

    /// Checks the value at the read position and steps over it; returns its type.
    mutating func skipValue() throws(JSONParseError) -> Kind {
        guard index < bytes.count else {
            throw failure(.unexpectedEnd, at: index, "the document ends where a value was expected")
        }
        switch bytes[index] {
        case ASCII.openBrace:
            try skipObject()
            return .object
        case ASCII.openBracket:
            try skipArray()
            return .array
        case ASCII.quote:
            try skipString()
            return .string
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        case ASCII.minus, ASCII.zero...ASCII.nine:
            let number = try scanNumber()
            // Up to 18 digits always fit in Int64; longer integers and every fraction take the same
            // conversion as building would, so that out-of-range numbers fail here too.
            let digits = number.end - number.start - (bytes[number.start] == ASCII.minus ? 1 : 0)
            if number.isInteger && digits <= 18 { return .int }
            if case .int = try numberValue(number) { return .int }
            return .double
        default:
            throw failure(.unexpectedCharacter, at: index, "expected a JSON value")
        }
    }

    /// Reads the object at the read position member by member: `member` gets each member's name and
    /// must read or skip exactly one value. Names are checked for duplicates (byte for byte, after
    /// escapes are decoded) once each value is read, as `readValue` checks them.
    mutating func walkObject(
        _ member: (inout JSONReader, MemberName) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        try open()
        skipWhitespace()
        if peek() == ASCII.closeBrace {
            index += 1
            depth -= 1
            return
        }
        var names = NameSet(reader: &self)
        defer { names.discard(from: &self) }
        while true {
            let nameOffset = try expectMemberName()
            let name = try scanMemberName()
            try expectColon()
            try member(&self, name)
            guard names.insert(name, into: &self) else {
                throw failure(.duplicateKey, at: nameOffset, "the object has two members with the same name")
            }
            if try endOfObject() { return }
        }
    }

    /// Checks `{ ... }` and steps over it: `walkObject` skipping every value, without the closure.
    private mutating func skipObject() throws(JSONParseError) {
        try open()
        skipWhitespace()
        if peek() == ASCII.closeBrace {
            index += 1
            depth -= 1
            return
        }
        var names = NameSet(reader: &self)
        defer { names.discard(from: &self) }
        while true {
            let nameOffset = try expectMemberName()
            let name = try scanMemberName()
            try expectColon()
            _ = try skipValue()
            guard names.insert(name, into: &self) else {
                throw failure(.duplicateKey, at: nameOffset, "the object has two members with the same name")
            }
            if try endOfObject() { return }
        }
    }

    /// The names of one object being walked, kept in `walkedNames` from `first` on: a 256-bit filter
    /// answers "certainly new" for most names without comparing, a scan finds duplicates among up to
    /// `memberTableThreshold` names, and a hash table beyond.
    struct NameSet {
        /// Where the object's names start in `walkedNames`.
        let first: Int
        /// Where the object's decoded names start in `nameArena`.
        let arenaStart: Int
        /// One bit per name hash, 256 in four words: a clear bit means no earlier name can be equal.
        private var filter0: UInt64 = 0
        private var filter1: UInt64 = 0
        private var filter2: UInt64 = 0
        private var filter3: UInt64 = 0
        /// The hash table, once the object has many names.
        private var table: MemberNameTable?

        /// An empty set for an object whose first name is about to be read.
        init(reader: inout JSONReader) {
            if reader.walkedNames.capacity == 0 { reader.walkedNames.reserveCapacity(2 * JSONReader.memberTableThreshold) }
            first = reader.walkedNames.count
            arenaStart = reader.nameArena.count
        }

        /// Adds `name`; false when an equal name is already in.
        mutating func insert(_ name: MemberName, into reader: inout JSONReader) -> Bool {
            if table != nil {
                reader.walkedNames.append(name)
                return table!.insert(reader.walkedNames.count - 1, reader: reader)
            }
            if reader.walkedNames.count - first >= JSONReader.memberTableThreshold {
                var built = MemberNameTable(capacity: 2 * JSONReader.memberTableThreshold)
                for position in first..<reader.walkedNames.count {
                    _ = built.insert(position, reader: reader)
                }
                reader.walkedNames.append(name)
                let isNew = built.insert(reader.walkedNames.count - 1, reader: reader)
                table = built
                return isNew
            }
            let hash = ((name.prefix ^ UInt64(truncatingIfNeeded: name.count)) &* 0x9E37_79B9_7F4A_7C15) >> 56
            let mask: UInt64 = 1 << (hash & 63)
            let seen: Bool
            switch hash >> 6 {
            case 0: seen = filter0 & mask != 0; filter0 |= mask
            case 1: seen = filter1 & mask != 0; filter1 |= mask
            case 2: seen = filter2 & mask != 0; filter2 |= mask
            default: seen = filter3 & mask != 0; filter3 |= mask
            }
            if seen, reader.containsName(name, from: first) { return false }
            reader.walkedNames.append(name)
            return true
        }

        /// Forgets the object's names (it is closed, or reading it failed).
        func discard(from reader: inout JSONReader) {
            reader.walkedNames.removeLast(reader.walkedNames.count - first)
            reader.nameArena.removeLast(reader.nameArena.count - arenaStart)
        }
    }

    /// Whether a name equal to `name` is among `walkedNames[first...]`.
    fileprivate func containsName(_ name: MemberName, from first: Int) -> Bool {
        walkedNames.withUnsafeBufferPointer { names in
            for position in first..<names.count {
                let other = names[position]
                if other.prefix == name.prefix, other.count == name.count, name.count <= 8 || sameName(other, name) {
                    return true
                }
            }
            return false
        }
    }

    /// Checks `[ ... ]` and steps over it.
    private mutating func skipArray() throws(JSONParseError) {
        try open()
        skipWhitespace()
        if peek() == ASCII.closeBracket {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            _ = try skipValue()
            if try endOfArray() { return }
        }
    }

    /// Checks a string and steps over it; returns the raw range between the quotes when it had no
    /// escapes, or nil when it had (its decoded bytes are then in `scratch`).
    @discardableResult
    private mutating func skipString() throws(JSONParseError) -> Range<Int>? {
        let start = index + 1
        var position = start
        var asciiOnly = true
        while true {
            position = plainRunEnd(from: position)
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == ASCII.quote {
                index = position + 1
                if !asciiOnly, !UTF8Validation.isWellFormed(UnsafeBufferPointer(rebasing: bytes[start..<position])) {
                    throw failure(.invalidUTF8, at: start, "a string is not valid UTF-8")
                }
                return start..<position
            }
            if byte == ASCII.backslash {
                let asciiOnly = try readEscapedString(start: start, firstEscape: position, asciiSoFar: asciiOnly)
                let wellFormed = asciiOnly || scratch.withUnsafeBufferPointer { UTF8Validation.isWellFormed($0) }
                guard wellFormed else {
                    throw failure(.invalidUTF8, at: start, "a string is not valid UTF-8")
                }
                return nil
            }
            if byte < 0x20 {
                throw failure(.controlCharacterInString, at: position, "raw control character in a string")
            }
            asciiOnly = false
            position += 1
        }
        throw failure(.unexpectedEnd, at: position, "the document ends inside a string")
    }

    /// Checks a member name and records where its bytes are.
    mutating func scanMemberName() throws(JSONParseError) -> MemberName {
        if let raw = try skipString() {
            return MemberName(start: raw.lowerBound, count: raw.count, isDecoded: false,
                              prefix: Self.prefix(UnsafeBufferPointer(rebasing: bytes[raw])))
        }
        let start = nameArena.count
        nameArena.append(contentsOf: scratch)
        let prefix = scratch.withUnsafeBufferPointer { Self.prefix($0) }
        return MemberName(start: start, count: scratch.count, isDecoded: true, prefix: prefix)
    }

    /// The first eight bytes of `name`, zero-padded, as one integer.
    private static func prefix(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = name.baseAddress else { return 0 }
        if name.count >= 8 {
            return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
        }
        var value: UInt64 = 0
        for offset in 0..<name.count {
            value |= UInt64(name[offset]) << (8 * offset)
        }
        return value
    }

    /// Runs `body` over the bytes of `name`.
    func withBytes<Result>(of name: MemberName, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if name.isDecoded {
            return nameArena.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[name.start..<(name.start + name.count)])) }
        }
        return body(UnsafeBufferPointer(rebasing: bytes[name.start..<(name.start + name.count)]))
    }

    /// Whether two member names have the same bytes.
    func sameName(_ lhs: MemberName, _ rhs: MemberName) -> Bool {
        guard lhs.count == rhs.count, lhs.prefix == rhs.prefix else { return false }
        if lhs.count <= 8 { return true }
        return withBytes(of: lhs) { left in
            withBytes(of: rhs) { right in
                Self.equalBytes(left, right)
            }
        }
    }

    /// Whether `name` is exactly `literal`.
    func name(_ name: MemberName, is literal: StaticString) -> Bool {
        guard name.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            withBytes(of: name) { Self.equalBytes($0, expected) }
        }
    }

    /// Whether two buffers of the same length hold the same bytes.
    static func equalBytes(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return lhs.count == rhs.count }
        return lhs.count == rhs.count && memcmp(left, right, lhs.count) == 0
    }
}
