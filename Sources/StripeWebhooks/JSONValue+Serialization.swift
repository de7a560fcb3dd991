extension JSONValue {
    /// Compact JSON text for this value (no insignificant whitespace), members in their stored order.
    ///
    /// Strings escape `"`, `\` and control characters and keep all other characters as UTF-8.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(to: &output)
        return output
    }

    /// Compact JSON text for this value, as a `String`.
    public var jsonText: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Appends this value's compact JSON text to `output`.
    public func write(to output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            output.append(contentsOf: String(value).utf8)
        case .double(let value):
            Self.writeNumber(value, to: &output)
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let elements):
            output.append(ASCII.openBracket)
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(ASCII.comma) }
                element.write(to: &output)
            }
            output.append(ASCII.closeBracket)
        case .object(let object):
            output.append(ASCII.openBrace)
            for (position, member) in object.enumerated() {
                if position > 0 { output.append(ASCII.comma) }
                Self.writeString(member.key, to: &output)
                output.append(ASCII.colon)
                member.value.write(to: &output)
            }
            output.append(ASCII.closeBrace)
        }
    }

    /// Writes a finite double in the shortest form that reads back the same (RFC 8259 §6 has no NaN/∞).
    private static func writeNumber(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            // Not producible by the parser; `null` is what JavaScript's JSON.stringify writes.
            output.append(contentsOf: "null".utf8)
            return
        }
        // Swift's description is the shortest round-tripping form: "1.5", "1e-07", "1e+20".
        output.append(contentsOf: value.description.utf8)
    }

    /// Writes `value` as a JSON string with the escapes of RFC 8259 §7.
    private static func writeString(_ value: String, to output: inout [UInt8]) {
        output.append(ASCII.quote)
        for byte in value.utf8 {
            switch byte {
            case ASCII.quote: output.append(contentsOf: [ASCII.backslash, ASCII.quote])
            case ASCII.backslash: output.append(contentsOf: [ASCII.backslash, ASCII.backslash])
            case 0x0A: output.append(contentsOf: [ASCII.backslash, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [ASCII.backslash, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [ASCII.backslash, UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [ASCII.backslash, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [ASCII.backslash, UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(contentsOf: HexEncoding.encode(CollectionOfOne(byte)).utf8)
            default: output.append(byte)
            }
        }
        output.append(ASCII.quote)
    }
}
