/// Reads the items of a `Stripe-Signature` value in place, without allocating (Stripe rule §2.1–§2.3).
enum SignatureHeaderScanner {
    /// What one pass over a header value found.
    enum Outcome: Equatable {
        /// Nothing but whitespace (or nothing at all).
        case missing
        /// No usable `t`; the text says what was wrong.
        case malformed(String)
        /// A usable `t` but no `v1` item.
        case noV1Signature
        /// A usable `t` and at least one `v1` item.
        case signed(timestamp: Int64)
    }

    /// The result of reading one `t` value.
    enum TimestampValue: Equatable {
        /// 1 to 19 ASCII digits that fit in `Int64`.
        case valid(Int64)
        /// Empty, longer than 19 characters, or not all ASCII digits (signs included).
        case notDigits
        /// 19 digits beyond `Int64.max`.
        case tooLarge
    }

    /// Finds `t` and counts `v1` items; see ``SignatureVerifier`` for the order of checks.
    static func scan(_ header: UnsafeBufferPointer<UInt8>) -> Outcome {
        if header.allSatisfy({ isSpace($0) || $0 == 0x0D || $0 == 0x0A }) {
            return .missing
        }
        var timestamp: Int64?
        var sawV1 = false
        var problem: String?
        forEachItem(in: header) { key, value in
            if isTimestampKey(key) {
                switch parseTimestamp(value) {
                case .valid(let parsed):
                    // Policy (§2.2): two `t` items that differ make the header malformed.
                    if let timestamp, timestamp != parsed {
                        problem = "the header has two different t= timestamps"
                        return false
                    }
                    timestamp = parsed
                case .notDigits:
                    problem = "the t= timestamp must be 1 to 19 ASCII digits (Unix seconds)"
                    return false
                case .tooLarge:
                    problem = "the t= timestamp is too large"
                    return false
                }
            } else if isV1Key(key) {
                sawV1 = true
            }
            return true
        }
        if let problem { return .malformed(problem) }
        guard let timestamp else { return .malformed("the header has no t= timestamp item") }
        return sawV1 ? .signed(timestamp: timestamp) : .noV1Signature
    }

    /// Calls `body` with the key and value of each item, in order, until it returns false.
    ///
    /// Items are split on `,`, trimmed of spaces and tabs (policy §2.1; RFC 9110 §5.6.1 OWS), then split
    /// on their first `=`; items without `=` are skipped.
    static func forEachItem(
        in header: UnsafeBufferPointer<UInt8>,
        _ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        let end = header.count
        var itemStart = 0
        while itemStart <= end {
            var itemEnd = itemStart
            while itemEnd < end && header[itemEnd] != UInt8(ascii: ",") { itemEnd += 1 }
            var lower = itemStart
            var upper = itemEnd
            while lower < upper && isSpace(header[lower]) { lower += 1 }
            while upper > lower && isSpace(header[upper - 1]) { upper -= 1 }
            var equals = lower
            while equals < upper && header[equals] != UInt8(ascii: "=") { equals += 1 }
            if equals < upper {
                let key = UnsafeBufferPointer(rebasing: header[lower..<equals])
                let value = UnsafeBufferPointer(rebasing: header[(equals + 1)..<upper])
                if !body(key, value) { return }
            }
            itemStart = itemEnd + 1
        }
    }

    /// Reads a `t` value: 1 to 19 ASCII digits, no sign, no spaces (policy §2.2).
    static func parseTimestamp(_ value: UnsafeBufferPointer<UInt8>) -> TimestampValue {
        guard (1...19).contains(value.count) else { return .notDigits }
        var result: Int64 = 0
        var overflowed = false
        for byte in value {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return .notDigits }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = shifted.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            overflowed = overflowed || overflow1 || overflow2
            result = added
        }
        return overflowed ? .tooLarge : .valid(result)
    }

    /// Whether `key` is exactly `t`.
    static func isTimestampKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        key.count == 1 && key[0] == UInt8(ascii: "t")
    }

    /// Whether `key` is exactly `v1`, the only scheme that counts (Stripe rule §2.3).
    static func isV1Key(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        key.count == 2 && key[0] == UInt8(ascii: "v") && key[1] == UInt8(ascii: "1")
    }

    /// Space or horizontal tab.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }
}
