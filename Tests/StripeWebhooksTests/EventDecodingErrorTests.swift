import Foundation
import Testing
@testable import StripeWebhooks

/// Bodies that verify but are not snapshot events.
struct EventDecodingErrorTests {
    typealias Reason = EventDecodingError.Reason

    /// A body and the reason it must be refused for.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let reason: Reason
        var field: String?
        var messageMentions: [String] = []
        var testDescription: String { name }
    }

    static let valid = #""id":"evt_1","object":"event","type":"invoice.paid","created":1700000000,"livemode":false"#

    static let cases: [Case] = [
        Case(name: "truncated JSON", body: #"{"id":"evt_1","#, reason: .invalidJSON, messageMentions: ["line 1", "column 15 (byte offset 14)"]),
        Case(name: "trailing comma", body: "{\(valid),}", reason: .invalidJSON),
        Case(name: "not JSON at all", body: "id=evt_1&type=invoice.paid", reason: .invalidJSON, messageMentions: ["line 1, column 1"]),
        Case(name: "empty body", body: "", reason: .invalidJSON),
        Case(name: "duplicate id", body: #"{"id":"evt_1","id":"evt_2"}"#, reason: .invalidJSON, messageMentions: ["same name"]),
        Case(name: "JSON array", body: "[{\(valid)}]", reason: .notAnObject, messageMentions: ["an array"]),
        Case(name: "JSON string", body: #""evt_1""#, reason: .notAnObject),
        Case(name: "customer object", body: #"{"id":"cus_1","object":"customer","created":1}"#, reason: .notAnEvent, messageMentions: ["\"customer\""]),
        Case(name: "no object field", body: #"{"id":"evt_1","type":"invoice.paid"}"#, reason: .notAnEvent),
        Case(name: "thin event", body: #"{"id":"evt_1","object":"v2.core.event","type":"x","created":"2024-01-01T00:00:00Z","related_object":{}}"#,
             reason: .thinEvent, messageMentions: ["thin-event endpoint", "its own signing secret"]),
        Case(name: "missing id", body: #"{"object":"event","type":"invoice.paid","created":1,"livemode":false,"data":{"object":{}}}"#, reason: .missingID),
        Case(name: "null id", body: #"{"id":null,"object":"event","type":"invoice.paid","created":1,"livemode":false,"data":{"object":{}}}"#, reason: .missingID),
        Case(name: "numeric id", body: #"{"id":7,"object":"event","type":"invoice.paid","created":1,"livemode":false,"data":{"object":{}}}"#, reason: .invalidField, field: "id"),
        Case(name: "empty id", body: #"{"id":"","object":"event","type":"invoice.paid","created":1,"livemode":false,"data":{"object":{}}}"#, reason: .invalidField, field: "id"),
        Case(name: "missing type", body: #"{"id":"evt_1","object":"event","created":1,"livemode":false,"data":{"object":{}}}"#, reason: .missingType),
        Case(name: "created as string", body: #"{"id":"evt_1","object":"event","type":"invoice.paid","created":"1700000000","livemode":false,"data":{"object":{}}}"#,
             reason: .invalidField, field: "created", messageMentions: ["\"created\"", "integer"]),
        Case(name: "created as fraction", body: #"{"id":"evt_1","object":"event","type":"invoice.paid","created":1.5,"livemode":false,"data":{"object":{}}}"#,
             reason: .invalidField, field: "created"),
        Case(name: "missing created", body: #"{"id":"evt_1","object":"event","type":"invoice.paid","livemode":false,"data":{"object":{}}}"#,
             reason: .missingField, field: "created"),
        Case(name: "livemode as string", body: "{\(valid.replacingOccurrences(of: "false", with: "\"false\"")),\"data\":{\"object\":{}}}",
             reason: .invalidField, field: "livemode"),
        Case(name: "missing livemode", body: #"{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"data":{"object":{}}}"#,
             reason: .missingField, field: "livemode"),
        Case(name: "api_version as number", body: "{\(valid),\"api_version\":2024,\"data\":{\"object\":{}}}", reason: .invalidField, field: "api_version"),
        Case(name: "no data", body: "{\(valid)}", reason: .missingData),
        Case(name: "null data", body: "{\(valid),\"data\":null}", reason: .missingData),
        Case(name: "data without object", body: "{\(valid),\"data\":{}}", reason: .missingData),
        Case(name: "null data.object", body: "{\(valid),\"data\":{\"object\":null}}", reason: .missingData),
        Case(name: "data as array", body: "{\(valid),\"data\":[]}", reason: .invalidField, field: "data"),
        Case(name: "data.object as string", body: "{\(valid),\"data\":{\"object\":\"in_1\"}}", reason: .invalidField, field: "data.object"),
        Case(name: "previous_attributes as array", body: "{\(valid),\"data\":{\"object\":{},\"previous_attributes\":[]}}", reason: .invalidField, field: "data.previous_attributes"),
        Case(name: "request as number", body: "{\(valid),\"data\":{\"object\":{}},\"request\":5}", reason: .invalidField, field: "request"),
        Case(name: "request.id as number", body: "{\(valid),\"data\":{\"object\":{}},\"request\":{\"id\":5}}", reason: .invalidField, field: "request.id"),
        Case(name: "pending_webhooks as string", body: "{\(valid),\"data\":{\"object\":{}},\"pending_webhooks\":\"1\"}", reason: .invalidField, field: "pending_webhooks"),
        Case(name: "account as object", body: "{\(valid),\"data\":{\"object\":{}},\"account\":{}}", reason: .invalidField, field: "account"),
    ]

    @Test(arguments: cases)
    func body_isRefusedWithAStableReason(_ testCase: Case) {
        do {
            let event = try StripeEvent.decode(from: Array(testCase.body.utf8))
            Issue.record("decoded \(event.id)")
        } catch {
            #expect(error.reason == testCase.reason, "\(error)")
            #expect(error.field == testCase.field)
            #expect(error.description.contains(testCase.reason.rawValue))
            for phrase in testCase.messageMentions {
                #expect(error.message.contains(phrase), "\(error.message)")
            }
        }
    }

    @Test func minimalEvent_decodes() throws {
        let event = try StripeEvent.decode(from: Array("{\(Self.valid),\"data\":{\"object\":{\"id\":\"in_1\"}}}".utf8))
        #expect(event.type == .invoicePaid)
        #expect(event.objectID == "in_1")
        #expect(event.apiVersion == nil)
        #expect(event.request == nil)
        #expect(event.data.objectRawJSON == Array(#"{"id":"in_1"}"#.utf8))
    }
}
