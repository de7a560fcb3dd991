/// Reading a few members of an object that was checked already (a decoded event's `data.object`):
/// what a handler that logs three fields needs, without building the rest or checking it twice.
extension JSONReader {
    /// Reads the values of the members named in `wanted` (raw UTF-8 names, compared after escapes are
    /// decoded) of the object at the read position; steps over the others and stops once every wanted
    /// member was read. Only for bytes the same rules accepted before: duplicate names are not looked
    /// for again, and what follows the last wanted member is not read at all.
    /// - Returns: per wanted name, its value, or nil when the object has no such member.
    mutating func readMembers(named wanted: [[UInt8]]) throws(JSONParseError) -> [JSONValue?] {
        var found = [JSONValue?](repeating: nil, count: wanted.count)
        try open()
        skipWhitespace()
        if peek() == ASCII.closeBrace { return found }
        var missing = wanted.count
        while missing > 0 {
            _ = try expectMemberName()
            let arenaStart = nameArena.count
            let name = try scanMemberName()
            let match = withBytes(of: name) { bytes in wanted.firstIndex { bytes.elementsEqual($0) } }
            // An escaped name's decoded bytes are needed only for the comparison above.
            nameArena.removeLast(nameArena.count - arenaStart)
            try expectColon()
            if let match, found[match] == nil {
                found[match] = try readValue()
                missing -= 1
            } else {
                _ = try skipValue()
            }
            if try endOfObject() { break }
        }
        return found
    }
}
