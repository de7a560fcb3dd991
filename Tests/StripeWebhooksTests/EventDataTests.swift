import Testing
@testable import StripeWebhooks

/// `EventData.objectMembers(named:)`: the members a handler asks for, read without building the rest
/// of `data.object`, equal to those of the fully built object.
struct EventDataTests {
    @Test(arguments: Samples.names)
    func objectMembers_equalTheBuiltObjectsMembers(sample: String) throws {
        let names = ["id", "object", "amount", "currency", "metadata", "status", "not_a_member"]
        let read = try StripeEvent.decode(from: Samples.bytes(sample)).data.objectMembers(named: names)
        let built = try StripeEvent.decode(from: Samples.bytes(sample)).data.object
        for name in names {
            #expect(read[name] == built[name], "\(sample): \(name)")
        }
        #expect(read["not_a_member"] == nil)
    }

    @Test func objectMembers_readEscapedNamesAndNestedValues_andAgreeOnceTheObjectIsBuilt() throws {
        let body = Array(#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1,"livemode":false,"data":{"object":{"id":"pi_1","object":"payment_intent","am\u006funt":2500,"currency":"eur","metadata":{"order":"42"},"charges":[1,2,{"x":null}]}}}"#.utf8)
        let event = try StripeEvent.decode(from: body)
        let before = event.data.objectMembers(named: ["amount", "metadata", "currency"])
        #expect(before["amount"] == .int(2500), "a name written with an escape matches")
        #expect(before["metadata"]?["order"] == .string("42"))
        #expect(before["currency"] == .string("eur"))
        _ = event.data.object
        #expect(event.data.objectMembers(named: ["amount", "metadata", "currency"]) == before)
    }

    @Test func objectMembers_takeTheObjectsOwnMember_notOneOfANestedObject() throws {
        let body = Array(#"{"id":"evt_1","object":"event","type":"charge.succeeded","created":1,"livemode":false,"data":{"object":{"id":"ch_1","object":"charge","metadata":{"amount":"1","currency":"x"},"refunds":[{"amount":7}],"amount":500}}}"#.utf8)
        let members = try StripeEvent.decode(from: body).data.objectMembers(named: ["currency", "amount", "id"])
        #expect(members == ["amount": .int(500), "id": .string("ch_1")], "no top-level currency; the top-level amount")
    }
}
