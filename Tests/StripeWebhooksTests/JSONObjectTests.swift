import Testing
@testable import StripeWebhooks

/// Member order and equality of objects.
struct JSONObjectTests {
    @Test func parsedObject_keepsDocumentOrder() throws {
        let value = try JSONParser().parse(#"{"z":1,"a":2,"m":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "m"])
        #expect(object.map(\.key) == ["z", "a", "m"])
        #expect(object.map(\.value) == [1, 2, 3])
        #expect(object.count == 3)
    }

    @Test func equality_ignoresOrder_butNotValues() throws {
        let first = try JSONParser().parse(#"{"a":1,"b":[1,2]}"#)
        #expect(first == (try JSONParser().parse(#"{"b":[1,2],"a":1}"#)))
        #expect(first != (try JSONParser().parse(#"{"a":1,"b":[2,1]}"#)))
        #expect(first != (try JSONParser().parse(#"{"a":1}"#)))
        #expect(JSONValue.int(1) != JSONValue.double(1))
    }

    @Test func subscriptSet_appendsReplacesAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["c"] = 3
        object["a"] = 10
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == 10)
        #expect(object["b"] == nil)
        #expect(JSONValue.object(object).jsonText == #"{"a":10,"c":3}"#)
    }

    @Test(arguments: [2, 40])
    func canonicallyEquivalentNames_areDifferentMembers_whateverTheObjectSize(extra: Int) throws {
        // "é" precomposed and as e + combining acute: equal as Swift strings, different bytes.
        let filler = (0..<extra).map { ",\"k\($0)\":0" }.joined()
        let value = try JSONParser().parse("{\"\u{E9}\":1,\"e\u{301}\":2\(filler)}")
        let object = try #require(value.objectValue)
        #expect(object.count == 2 + extra)
        #expect(object["\u{E9}"] == 1)
        #expect(object["e\u{301}"] == 2)
        #expect { try JSONParser().parse("{\"\u{E9}\":1\(filler),\"\u{E9}\":2}") } throws: { ($0 as? JSONParseError)?.kind == .duplicateKey }
    }
}
