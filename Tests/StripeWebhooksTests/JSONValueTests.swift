import Testing
@testable import StripeWebhooks

/// Accessors, path lookup and serialisation of parsed values.
struct JSONValueTests {
    static let document: JSONValue = [
        "id": "evt_1", "created": 1_700_000_000, "livemode": false, "ratio": 0.5, "none": .null,
        "data": ["object": ["id": "in_1", "lines": ["data": [["id": "il_1"], ["id": "il_2"]]]]],
        "dotted.key": "d",
    ]

    /// A path and what it must find.
    struct Lookup: Sendable, CustomTestStringConvertible {
        let path: String
        let value: JSONValue?
        var testDescription: String { path }
    }

    @Test(arguments: [
        Lookup(path: "id", value: "evt_1"),
        Lookup(path: "data.object.id", value: "in_1"),
        Lookup(path: "data.object.lines.data.1.id", value: "il_2"),
        Lookup(path: "data.object.lines.data.2.id", value: nil),
        Lookup(path: "data.object.lines.data.-1", value: nil),
        Lookup(path: "data.object.missing", value: nil),
        Lookup(path: "id.length", value: nil),
        Lookup(path: "none", value: .null),
        Lookup(path: "dotted.key", value: nil),
        Lookup(path: "data..object", value: nil),
    ])
    func lookup_followsDottedPaths(_ lookup: Lookup) {
        #expect(Self.document.lookup(lookup.path) == lookup.value)
    }

    @Test func lookup_components_reachesKeysWithDots() {
        #expect(Self.document.lookup(components: ["dotted.key"]) == "d")
        #expect(Self.document.lookup(components: ["data", "object", "lines", "data", "0", "id"]) == "il_1")
    }

    @Test func accessors_returnValuesOnlyForTheirOwnType() {
        let document = Self.document
        #expect(document["id"]?.stringValue == "evt_1")
        #expect(document["id"]?.int64Value == nil)
        #expect(document["created"]?.int64Value == 1_700_000_000)
        #expect(document["created"]?.doubleValue == 1_700_000_000)
        #expect(document["created"]?.stringValue == nil)
        #expect(document["ratio"]?.int64Value == nil)
        #expect(document["ratio"]?.doubleValue == 0.5)
        #expect(document["livemode"]?.boolValue == false)
        #expect(document["none"]?.isNull == true)
        #expect(document["id"]?.isNull == false)
        #expect(document["data"]?.objectValue?.keys == ["object"])
        #expect(document.lookup("data.object.lines.data")?.arrayValue?.count == 2)
        #expect(document.lookup("data.object.lines.data")?[0]?["id"] == "il_1")
        #expect(document.lookup("data.object.lines.data")?[5] == nil)
        #expect(document["missing"] == nil)
        #expect(JSONValue.string("x")["id"] == nil)
    }

    /// A value and its exact compact serialisation.
    struct Serialisation: Sendable, CustomTestStringConvertible {
        let value: JSONValue
        let text: String
        var testDescription: String { text }
    }

    @Test(arguments: [
        Serialisation(value: ["b": 1, "a": [true, false, .null]], text: #"{"b":1,"a":[true,false,null]}"#),
        Serialisation(value: "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} é ☃",
                      text: #""quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 é ☃""#),
        Serialisation(value: .double(1.5), text: "1.5"),
        Serialisation(value: .double(1e-7), text: "1e-07"),
        Serialisation(value: .int(-9_223_372_036_854_775_808), text: "-9223372036854775808"),
        Serialisation(value: [:], text: "{}"),
        Serialisation(value: [], text: "[]"),
    ])
    func serialized_isCompactJSON(_ serialisation: Serialisation) throws {
        #expect(serialisation.value.jsonText == serialisation.text)
        #expect(try JSONParser().parse(serialisation.value.serialized()) == serialisation.value)
    }
}
