/// One result row as PostgreSQL's text output, copied out of the libpq result: NULL is `nil`.
struct PostgreSQLRow: Sendable {
    /// The row's columns in text form.
    let columns: [String?]

    /// Column `index` as text (empty when NULL).
    func text(_ index: Int) -> String { columns[index] ?? "" }

    /// Column `index` as text, or `nil` when NULL.
    func optionalText(_ index: Int) -> String? { columns[index] }

    /// Column `index` as a 64-bit integer (0 when NULL or not a number).
    func int64(_ index: Int) -> Int64 { columns[index].flatMap { Int64($0) } ?? 0 }

    /// Column `index` as an `Int`.
    func int(_ index: Int) -> Int { Int(int64(index)) }

    /// Column `index` as an integer, or `nil` when NULL.
    func optionalInt64(_ index: Int) -> Int64? { columns[index].flatMap { Int64($0) } }

    /// Column `index` as a boolean (`t`).
    func bool(_ index: Int) -> Bool { columns[index] == "t" }

    /// Column `index`, a `bytea` in PostgreSQL's hex output (`\x0a1b…`), as bytes.
    func bytes(_ index: Int) -> [UInt8] {
        guard let text = columns[index] else { return [] }
        var utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x") else { return utf8 }
        utf8.removeFirst(2)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index + 1 < utf8.count {
            bytes.append(Self.nibble(utf8[index]) << 4 | Self.nibble(utf8[index + 1]))
            index += 2
        }
        return bytes
    }

    /// The value of one hex digit.
    private static func nibble(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: 0
        }
    }
}
