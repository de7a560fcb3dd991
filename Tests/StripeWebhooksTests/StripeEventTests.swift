import Testing
@testable import StripeWebhooks

/// Decoding the 20 bundled sample events.
struct StripeEventTests {
    /// What a sample must decode to.
    struct Expectation: Sendable, CustomTestStringConvertible {
        let type: String
        let id: String
        let created: Int64
        let objectType: String
        let objectID: String?
        let requestID: String?
        let hasPrevious: Bool
        init(_ type: String, id: String, created: Int64, objectType: String, objectID: String?, requestID: String?, hasPrevious: Bool) {
            self.type = type
            self.id = id
            self.created = created
            self.objectType = objectType
            self.objectID = objectID
            self.requestID = requestID
            self.hasPrevious = hasPrevious
        }
        var testDescription: String { type }
    }

    static let samples: [Expectation] = [
        Expectation("balance.available", id: "evt_1PgcUdB7WZ01zgkWiY4YtZik", created: 1785859320, objectType: "balance", objectID: nil, requestID: nil, hasPrevious: false),
        Expectation("charge.dispute.closed", id: "evt_1PgcoFB7WZ01zgkWocB55TT1", created: 1786039200, objectType: "dispute", objectID: "dp_1Pgc71B7WZ01zgkWMevJiAUx", requestID: "req_VAFwBrNizspICZ", hasPrevious: true),
        Expectation("charge.dispute.created", id: "evt_1PgcxAB7WZ01zgkW4o5a67iu", created: 1786032000, objectType: "dispute", objectID: "dp_1Pgc71B7WZ01zgkWMevJiAUx", requestID: nil, hasPrevious: false),
        Expectation("charge.refunded", id: "evt_1PgcXtB7WZ01zgkWmVaLfkVU", created: 1785945600, objectType: "charge", objectID: "ch_1PgafuB7WZ01zgkWXYmPNZs8", requestID: "req_Rzrd2bRMCdlcLT", hasPrevious: true),
        Expectation("charge.succeeded", id: "evt_1PgcSfB7WZ01zgkW6Ni4wg8y", created: 1785859295, objectType: "charge", objectID: "ch_1PgafuB7WZ01zgkWXYmPNZs8", requestID: "req_QrqKKRWd6O8xlZ", hasPrevious: false),
        Expectation("checkout.session.completed", id: "evt_1PgcC9B7WZ01zgkWi39ZxxN8", created: 1785859296, objectType: "checkout.session", objectID: "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY", requestID: nil, hasPrevious: false),
        Expectation("customer.created", id: "evt_1Pgc81B7WZ01zgkWwNetAG9l", created: 1785859200, objectType: "customer", objectID: "cus_QXg1o8vcGmoR32", requestID: "req_oa6UUBcneAfbIT", hasPrevious: false),
        Expectation("customer.subscription.updated", id: "evt_1PgcMbB7WZ01zgkW9YhWf4A1", created: 1786291200, objectType: "subscription", objectID: "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", requestID: "req_VrrDrqIyQSMTAF", hasPrevious: true),
        Expectation("invoice.created", id: "evt_1PgcKyB7WZ01zgkWsSZLUbIf", created: 1786118400, objectType: "invoice", objectID: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", requestID: "req_hg9qZUCM7wG5L4", hasPrevious: false),
        Expectation("invoice.finalized", id: "evt_1PgcCEB7WZ01zgkWjX5AFjqg", created: 1786118460, objectType: "invoice", objectID: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", requestID: "req_Hl2X7qnwzadK0M", hasPrevious: false),
        Expectation("invoice.overdue", id: "evt_1PgcbkB7WZ01zgkW5Lb0a3CE", created: 1788796860, objectType: "invoice", objectID: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", requestID: nil, hasPrevious: false),
        Expectation("invoice.paid", id: "evt_1Pgc9LB7WZ01zgkW2144QOrP", created: 1786122000, objectType: "invoice", objectID: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", requestID: "req_eC8JatBcIPoUFH", hasPrevious: false),
        Expectation("invoice.payment_failed", id: "evt_1PgcyqB7WZ01zgkWDHqAIX71", created: 1786118520, objectType: "invoice", objectID: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", requestID: "req_S4HIJdxkhQUuwO", hasPrevious: false),
        Expectation("invoice.payment_succeeded", id: "evt_1PgchAB7WZ01zgkWSAJwAZ5o", created: 1786122000, objectType: "invoice", objectID: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", requestID: "req_eC8JatBcIPoUFH", hasPrevious: false),
        Expectation("invoice.upcoming", id: "evt_1PgcM0B7WZ01zgkWU96xNOQZ", created: 1787445254, objectType: "invoice", objectID: nil, requestID: nil, hasPrevious: false),
        Expectation("payment_intent.created", id: "evt_1Pgc49B7WZ01zgkWUiwwkubK", created: 1785859260, objectType: "payment_intent", objectID: "pi_1PgafyB7WZ01zgkWSjxsAJo3", requestID: "req_7bc6itvIkt3NhS", hasPrevious: false),
        Expectation("payment_intent.payment_failed", id: "evt_1PgceRB7WZ01zgkWxdgdrZbL", created: 1785859275, objectType: "payment_intent", objectID: "pi_1PgafyB7WZ01zgkWSjxsAJo3", requestID: "req_YFj4WadJx29WAK", hasPrevious: false),
        Expectation("payment_intent.succeeded", id: "evt_1PgcXBB7WZ01zgkWhplYwSWm", created: 1785859295, objectType: "payment_intent", objectID: "pi_1PgafyB7WZ01zgkWSjxsAJo3", requestID: "req_QrqKKRWd6O8xlZ", hasPrevious: false),
        Expectation("payment_method.attached", id: "evt_1Pgc8cB7WZ01zgkWPKDkLaXH", created: 1785859220, objectType: "payment_method", objectID: "pm_1Pgc75B7WZ01zgkWlHVgdEGJ", requestID: "req_nB0Au3mB30uwWR", hasPrevious: false),
        Expectation("setup_intent.succeeded", id: "evt_1Pgc0uB7WZ01zgkWqYsmM6Qn", created: 1785859220, objectType: "setup_intent", objectID: "seti_1Pgag7B7WZ01zgkWSgwGdb8Z", requestID: "req_nB0Au3mB30uwWR", hasPrevious: false),
    ]

    @Test func samples_tableCoversEveryBundledFile() {
        #expect(Self.samples.map(\.type).sorted() == Samples.names.sorted())
    }

    @Test(arguments: samples)
    func sample_decodesTheEnvelope(_ expected: Expectation) throws {
        let event = try StripeEvent.decode(from: try Samples.bytes(expected.type))
        #expect(event.id == expected.id)
        #expect(event.object == "event")
        #expect(event.type == EventType(expected.type))
        #expect(event.created == expected.created)
        #expect(event.livemode == false)
        #expect(event.apiVersion == "2026-07-29.dahlia")
        #expect(event.pendingWebhooks == 1)
        #expect(event.account == nil)
        #expect(event.objectType == expected.objectType)
        #expect(event.objectID == expected.objectID)
        // Automatic events carry `"request": {"id": null, "idempotency_key": null}`.
        let request = try #require(event.request)
        #expect(request.id == expected.requestID)
        #expect((request.idempotencyKey != nil) == (expected.requestID != nil))
        #expect((event.data.previousAttributes != nil) == expected.hasPrevious)
    }

    @Test(arguments: Samples.names)
    func sample_objectRawJSON_isTheExactBytesOfDataObject(_ name: String) throws {
        let body = try Samples.bytes(name)
        let event = try StripeEvent.decode(from: body)
        let raw = event.data.objectRawJSON
        #expect(raw.first == UInt8(ascii: "{"))
        #expect(raw.last == UInt8(ascii: "}"))
        // An exact slice of the body, found right after `"object": ` inside `"data": {`.
        let marker = Array("\"data\": {\n    \"object\": ".utf8)
        let start = try #require(Self.firstIndex(of: marker, in: body)) + marker.count
        #expect(Array(body[start..<(start + raw.count)]) == raw)
        // Re-parsing the slice gives the same value as the parsed event.
        #expect(try JSONParser().parse(raw) == event.data.object)
    }

    @Test func previousAttributes_areKept() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("customer.subscription.updated"))
        #expect(event.data.previousAttributes == ["metadata": [:]])
        #expect(event.data.object.lookup("metadata.foo") == "bar")
    }

    @Test func requestAsString_isTheOldAPIShape() throws {
        let body = #"{"id":"evt_1","object":"event","type":"x.y","created":1,"livemode":true,"api_version":null,"request":"req_1","data":{"object":{"object":"customer"}}}"#
        let event = try StripeEvent.decode(from: Array(body.utf8))
        #expect(event.request == EventRequest(id: "req_1", idempotencyKey: nil))
        #expect(event.apiVersion == nil)
        #expect(event.livemode)
        #expect(event.pendingWebhooks == nil)
    }

    @Test func connectEvent_hasAccount() throws {
        let body = #"{"id":"evt_1","object":"event","type":"x.y","created":1,"livemode":false,"account":"acct_1","data":{"object":{}}}"#
        let event = try StripeEvent.decode(from: Array(body.utf8))
        #expect(event.account == "acct_1")
        #expect(event.request == nil)
    }

    /// The first position of `needle` in `haystack`.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
