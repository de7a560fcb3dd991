import Testing
@testable import StripeWebhooks

/// The strict RFC 8259 parser.
struct JSONParserTests {
    typealias Kind = JSONParseError.Kind

    /// A document and the value it must parse to.
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let value: JSONValue
        var testDescription: String { text.debugDescription }
    }

    static let valid: [Valid] = [
        Valid(text: "{}", value: .object([:])),
        Valid(text: "[]", value: .array([])),
        Valid(text: " \t\r\n[ 1 , 2 ]\n ", value: [1, 2]),
        Valid(text: "null", value: .null),
        Valid(text: "true", value: true),
        Valid(text: "false", value: false),
        Valid(text: "0", value: 0),
        Valid(text: "-0", value: 0),
        Valid(text: "42", value: 42),
        Valid(text: "-17", value: -17),
        Valid(text: "9223372036854775807", value: .int(Int64.max)),
        Valid(text: "-9223372036854775808", value: .int(Int64.min)),
        Valid(text: "9223372036854775808", value: .double(9_223_372_036_854_775_808)),
        Valid(text: "1.5", value: 1.5),
        Valid(text: "-0.25", value: -0.25),
        Valid(text: "1e2", value: 100.0),
        Valid(text: "1E+2", value: 100.0),
        Valid(text: "2.5e-3", value: 0.0025),
        Valid(text: "1.0", value: .double(1.0)),
        Valid(text: "1e308", value: .double(1e308)),
        Valid(text: "\"\"", value: ""),
        Valid(text: "\"plain\"", value: "plain"),
        Valid(text: #""\" \\ \/ \b \f \n \r \t""#, value: "\" \\ / \u{08} \u{0C} \n \r \t"),
        Valid(text: #""\u00e9\u00E9""#, value: "éé"),
        Valid(text: #""\u0000""#, value: "\u{0}"),
        Valid(text: #""\ud83d\ude00""#, value: "😀"),
        Valid(text: #""\uD83D\uDE00x""#, value: "😀x"),
        Valid(text: "\"Zoë ☃ 😀\"", value: "Zoë ☃ 😀"),
        Valid(text: #""a\u2028b""#, value: "a\u{2028}b"),
        Valid(text: #"{"a":{"b":[1,{"c":null}]}}"#, value: ["a": ["b": [1, ["c": .null]]]]),
        Valid(text: #"{"":1}"#, value: ["": 1]),
        Valid(text: #"{"a":1,"A":2}"#, value: ["a": 1, "A": 2]),
        Valid(text: #"[[[]]]"#, value: [[[]]]),
    ]

    @Test(arguments: valid)
    func validDocument_parses(_ document: Valid) throws {
        #expect(try JSONParser().parse(document.text) == document.value)
        #expect(try JSONParser().parse(Array(document.text.utf8)) == document.value)
    }

    /// A document that must be rejected, with the kind and byte offset of the failure.
    struct Invalid: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let kind: Kind
        let offset: Int
        init(_ name: String, _ text: String, _ kind: Kind, at offset: Int) {
            self.name = name
            self.bytes = Array(text.utf8)
            self.kind = kind
            self.offset = offset
        }
        init(_ name: String, bytes: [UInt8], _ kind: Kind, at offset: Int) {
            self.name = name
            self.bytes = bytes
            self.kind = kind
            self.offset = offset
        }
        var testDescription: String { name }
    }

    static let invalid: [Invalid] = [
        Invalid("empty", "", .emptyDocument, at: 0),
        Invalid("whitespace only", "  \n", .emptyDocument, at: 3),
        Invalid("trailing comma in array", "[1,]", .unexpectedCharacter, at: 3),
        Invalid("trailing comma in object", #"{"a":1,}"#, .unexpectedCharacter, at: 7),
        Invalid("missing colon", #"{"a" 1}"#, .unexpectedCharacter, at: 5),
        Invalid("unquoted key", "{a:1}", .unexpectedCharacter, at: 1),
        Invalid("single quotes", "['a']", .unexpectedCharacter, at: 1),
        Invalid("missing comma", "[1 2]", .unexpectedCharacter, at: 3),
        Invalid("leading comma", "[,1]", .unexpectedCharacter, at: 1),
        Invalid("unclosed array", "[1", .unexpectedEnd, at: 2),
        Invalid("unclosed object", #"{"a":1"#, .unexpectedEnd, at: 6),
        Invalid("unclosed string", #""abc"#, .unexpectedEnd, at: 4),
        Invalid("two documents", "{}{}", .trailingCharacters, at: 2),
        Invalid("trailing garbage", "[] x", .trailingCharacters, at: 3),
        Invalid("trailing garbage after number", "1x", .trailingCharacters, at: 1),
        Invalid("leading zero", "01", .invalidNumber, at: 1),
        Invalid("negative leading zero", "-01", .invalidNumber, at: 2),
        Invalid("bare minus", "-", .invalidNumber, at: 1),
        Invalid("plus sign", "+1", .unexpectedCharacter, at: 0),
        Invalid("dot first", ".5", .unexpectedCharacter, at: 0),
        Invalid("dot last", "1.", .invalidNumber, at: 2),
        Invalid("empty exponent", "1e", .invalidNumber, at: 2),
        Invalid("signed empty exponent", "1e+", .invalidNumber, at: 3),
        Invalid("hex number", "0x1", .trailingCharacters, at: 1),
        Invalid("huge number", "1e400", .numberOutOfRange, at: 0),
        Invalid("NaN", "NaN", .unexpectedCharacter, at: 0),
        Invalid("Infinity", "[Infinity]", .unexpectedCharacter, at: 1),
        Invalid("truncated literal", "tru", .unexpectedCharacter, at: 0),
        Invalid("capitalised literal", "True", .unexpectedCharacter, at: 0),
        Invalid("literal with suffix", "nullx", .trailingCharacters, at: 4),
        Invalid("comment", "[1 /* c */]", .unexpectedCharacter, at: 3),
        Invalid("unknown escape", #""\x""#, .invalidEscape, at: 1),
        Invalid("short unicode escape", #""\u12""#, .invalidEscape, at: 5),
        Invalid("non-hex unicode escape", #""\u12G4""#, .invalidEscape, at: 5),
        Invalid("lone high surrogate", #""\ud83d""#, .unpairedSurrogate, at: 1),
        Invalid("high surrogate then letter", #""\ud83dx""#, .unpairedSurrogate, at: 1),
        Invalid("high surrogate then BMP escape", #""\ud83d\u0041""#, .unpairedSurrogate, at: 7),
        Invalid("lone low surrogate", #""\ude00""#, .unpairedSurrogate, at: 1),
        Invalid("raw newline in string", "\"a\nb\"", .controlCharacterInString, at: 2),
        Invalid("raw tab in string", "\"a\tb\"", .controlCharacterInString, at: 2),
        Invalid("raw NUL after escape", "\"\\n\u{0}\"", .controlCharacterInString, at: 3),
        Invalid("duplicate key", #"{"a":1,"b":2,"a":3}"#, .duplicateKey, at: 13),
        Invalid("byte-order mark", bytes: [0xEF, 0xBB, 0xBF, 0x5B, 0x5D], .unexpectedCharacter, at: 0),
        Invalid("invalid UTF-8 continuation", bytes: [0x22, 0xC3, 0x28, 0x22], .invalidUTF8, at: 1),
        Invalid("overlong encoding of /", bytes: [0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, at: 1),
        Invalid("UTF-8-encoded surrogate", bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 1),
        Invalid("truncated 4-byte sequence", bytes: [0x22, 0xF0, 0x9F, 0x98, 0x22], .invalidUTF8, at: 1),
        Invalid("invalid UTF-8 after escape", bytes: [0x22, 0x5C, 0x6E, 0xFF, 0x22], .invalidUTF8, at: 1),
        Invalid("invalid UTF-8 before escape", bytes: [0x22, 0xFF, 0x5C, 0x6E, 0x22], .invalidUTF8, at: 1),
        Invalid("non-ASCII outside strings", bytes: [0x5B, 0xC3, 0xA9, 0x5D], .unexpectedCharacter, at: 1),
        Invalid("value missing after colon", #"{"a":}"#, .unexpectedCharacter, at: 5),
    ]

    @Test(arguments: invalid)
    func invalidDocument_isRejectedWithPosition(_ document: Invalid) {
        do {
            let value = try JSONParser().parse(document.bytes)
            Issue.record("parsed as \(value)")
        } catch {
            #expect(error.kind == document.kind, "\(error)")
            #expect(error.offset == document.offset, "\(error)")
        }
    }

    @Test func error_reportsLineAndColumn() {
        do {
            _ = try JSONParser().parse("{\n  \"a\": 1,\n  \"b\": tru\n}")
            Issue.record("parsed")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 8)
            #expect(error.description.contains("line 3, column 8"))
        }
    }

    @Test(arguments: [1, 2, 128])
    func nesting_atTheLimit_parses_andOneDeeper_fails(limit: Int) throws {
        let parser = JSONParser(maximumDepth: limit)
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try parser.parse(atLimit) }
        let objects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        #expect(throws: Never.self) { try parser.parse(objects) }
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect { try parser.parse(tooDeep) } throws: { ($0 as? JSONParseError)?.kind == .tooDeep }
    }

    @Test func defaultDepth_stopsAHugeNestingWithoutCrashing() {
        let bomb = String(repeating: "[", count: 1_000_000)
        #expect { try JSONParser().parse(bomb) } throws: { ($0 as? JSONParseError)?.kind == .tooDeep }
    }

    @Test func eventEnvelope_findsTheExactBytesOfDataObject() throws {
        let text = #"{"data" : { "other": [1], "object" :  {"id": "x", "n": [1, 2]} , "z": 0 }, "object": "event"}"#
        let bytes = Array(text.utf8)
        let envelope = try bytes.withUnsafeBufferPointer { EventEnvelope.read($0) }.get()
        let range = try #require(envelope.objectRange)
        #expect(String(decoding: bytes[range], as: UTF8.self) == #"{"id": "x", "n": [1, 2]}"#)
        #expect(envelope.objectID == "x")
        #expect(envelope.object == "event")
        // A member of the same name elsewhere is not taken for it.
        let elsewhere = try Array(#"{"object":{"data":{"object":{}}}}"#.utf8).withUnsafeBufferPointer { EventEnvelope.read($0) }.get()
        #expect(elsewhere.objectRange == nil)
    }

    @Test(arguments: Samples.names)
    func sample_parsesAndSurvivesSerialisation(_ name: String) throws {
        let value = try JSONParser().parse(try Samples.bytes(name))
        #expect(value["object"] == "event")
        #expect(try JSONParser().parse(value.serialized()) == value)
    }

    @Test func mutatedSamples_neverCrash_andAcceptedOnesRoundTrip() throws {
        var random = SeededGenerator(seed: 0x15_0B_1E_C7)
        let samples = try Samples.names.map { try Samples.bytes($0) }
        var accepted = 0
        for _ in 0..<3000 {
            var bytes = samples.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] = "{}[]\",:0-eE.\\ntu\u{0}\u{80}".utf8.randomElement(using: &random)!
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                case 2: bytes.remove(at: position)
                default: bytes.removeSubrange(position...)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            guard let value = try? JSONParser().parse(bytes) else { continue }
            accepted += 1
            #expect(try JSONParser().parse(value.serialized()) == value)
        }
        // Some mutations (e.g. inside string contents) keep the document valid.
        #expect(accepted > 100)
    }
}
