import Foundation
import Testing
@testable import StripeWebhooks

/// Decoding thin events (`v2.core.event`): the bundled samples, every 400 reason, the payload-style
/// mix-ups, and the snapshot-shaped view the router and handlers use.
struct ThinEventTests {
    /// A valid minimal thin body with `extra` members spliced in after `object` (later members win
    /// nothing: duplicates are refused by the parser, so rows replace members by omitting them).
    static func body(_ members: [String: String]) -> [UInt8] {
        let base: [(String, String)] = [
            ("id", #""evt_test_1""#), ("object", #""v2.core.event""#), ("type", #""v2.core.account.updated""#),
            ("created", #""2024-09-17T06:20:52.246Z""#), ("livemode", "false"),
            ("related_object", #"{"id":"acct_1","type":"v2.core.account","url":"/v2/core/accounts/acct_1"}"#),
        ]
        var pairs = base.compactMap { name, value -> String? in
            if let replaced = members[name] { return replaced == "<absent>" ? nil : "\"\(name)\":\(replaced)" }
            return "\"\(name)\":\(value)"
        }
        pairs += members.keys.sorted().filter { name in !base.contains { $0.0 == name } }.map { "\"\($0)\":\(members[$0]!)" }
        return Array(("{" + pairs.joined(separator: ",") + "}").utf8)
    }

    @Test(arguments: Samples.thinNames)
    func bundledThinSample_decodes(_ name: String) throws {
        let event = try ThinEvent.decode(from: try Samples.thinBytes(name))
        #expect(event.type.rawValue == name)
        #expect(event.id.hasPrefix("evt_"))
        #expect(event.livemode == false)
        let related = try #require(event.relatedObject)
        #expect(related.url.hasSuffix("/" + (related.id ?? "")))
        #expect(event.createdSeconds > 1_700_000_000)
    }

    @Test func meterErrorSample_readsContextAndRelatedObject() throws {
        let event = try ThinEvent.decode(from: try Samples.thinBytes("v1.billing.meter.error_report_triggered"))
        #expect(event.context == "acct_1PgafTB7WZ01zgkW")
        #expect(event.relatedObject == RelatedObject(id: "mtr_test_61R9IeP0lQ4ToBKdm41J5wa7RBBhJqh5", type: "billing.meter",
                                                     url: "/v1/billing/meters/mtr_test_61R9IeP0lQ4ToBKdm41J5wa7RBBhJqh5"))
        #expect(event.created == "2024-09-17T06:20:52.246Z")
        #expect(event.createdSeconds == 1_726_554_052)
        #expect(event.eventPath == "/v2/core/events/evt_test_65R9Ijk8ThhI4hHiOaJ16RJyfa2xSQLHJJh1sxm7H0KI92")
    }

    /// One decoding row: the members to replace, and nil (decodes) or the expected reason and field.
    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        let members: [String: String]
        let reason: String?
        var field: String? = nil
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "minimal", members: [:], reason: nil),
        Row(name: "with context, reason, snapshot_event and data", members: [
            "context": #""acct_123""#, "reason": #"{"type":"request","request":{"id":"req_1","idempotency_key":"k"}}"#,
            "snapshot_event": #""evt_1snap""#, "data": #"{"developer_message_summary":"x"}"#,
        ], reason: nil),
        Row(name: "null related_object", members: ["related_object": "null"], reason: nil),
        Row(name: "singleton related_object without id", members: ["related_object": #"{"type":"balance_settings","url":"/v1/balance_settings"}"#], reason: nil),
        Row(name: "offset time", members: ["created": #""2024-09-17T08:20:52+02:00""#], reason: nil),
        Row(name: "snapshot event", members: ["object": #""event""#], reason: "snapshot_event"),
        Row(name: "customer object", members: ["object": #""customer""#], reason: "not_an_event"),
        Row(name: "no object", members: ["object": "<absent>"], reason: "not_an_event"),
        Row(name: "no id", members: ["id": "<absent>"], reason: "missing_id"),
        Row(name: "empty id", members: ["id": #""""#], reason: "invalid_field", field: "id"),
        Row(name: "no type", members: ["type": "null"], reason: "missing_type"),
        Row(name: "no created", members: ["created": "<absent>"], reason: "missing_field", field: "created"),
        Row(name: "Unix created", members: ["created": "1726554052"], reason: "invalid_field", field: "created"),
        Row(name: "created without zone", members: ["created": #""2024-09-17T06:20:52""#], reason: "invalid_field", field: "created"),
        Row(name: "created on 31 February", members: ["created": #""2024-02-31T06:20:52Z""#], reason: "invalid_field", field: "created"),
        Row(name: "no livemode", members: ["livemode": "<absent>"], reason: "missing_field", field: "livemode"),
        Row(name: "string livemode", members: ["livemode": #""false""#], reason: "invalid_field", field: "livemode"),
        Row(name: "numeric context", members: ["context": "5"], reason: "invalid_field", field: "context"),
        Row(name: "related_object a string", members: ["related_object": #""acct_1""#], reason: "invalid_field", field: "related_object"),
        Row(name: "related_object without url", members: ["related_object": #"{"id":"acct_1","type":"v2.core.account"}"#], reason: "missing_field", field: "related_object.url"),
        Row(name: "related_object with numeric id", members: ["related_object": #"{"id":1,"type":"t","url":"/u"}"#], reason: "invalid_field", field: "related_object.id"),
        Row(name: "reason a string", members: ["reason": #""request""#], reason: "invalid_field", field: "reason"),
        Row(name: "snapshot_event a number", members: ["snapshot_event": "7"], reason: "invalid_field", field: "snapshot_event"),
    ]

    @Test(arguments: rows)
    func decoding(_ row: Row) {
        let body = Self.body(row.members)
        do {
            let event = try ThinEvent.decode(from: body)
            #expect(row.reason == nil, "decoded, expected \(row.reason ?? "")")
            #expect(event.id == "evt_test_1")
        } catch {
            #expect(error.reason.rawValue == row.reason, "\(error)")
            #expect(error.field == row.field, "\(error)")
        }
    }

    @Test func invalidJSONAndNonObjects_getTheirReasons() {
        #expect(throws: EventDecodingError.self) { try ThinEvent.decode(from: Array("{\"id\":".utf8)) }
        do { _ = try ThinEvent.decode(from: Array("[1]".utf8)) } catch { #expect(error.reason == .notAnObject) }
        do { _ = try ThinEvent.decode(from: Array("{".utf8)) } catch { #expect(error.reason == .invalidJSON) }
    }

    @Test func mixUps_nameTheOtherStyleInBothDirections() throws {
        let snapshot = try Samples.bytes("invoice.paid")
        do {
            _ = try ThinEvent.decode(from: snapshot)
            Issue.record("a snapshot event decoded as thin")
        } catch {
            #expect(error.reason == .snapshotEvent)
            #expect(error.message.contains("snapshot event") && error.message.contains("thin-event endpoint"))
        }
        let thin = try Samples.thinBytes("v2.core.event_destination.ping")
        do {
            _ = try StripeEvent.decode(from: thin, style: .snapshot)
            Issue.record("a thin event decoded as snapshot")
        } catch {
            #expect(error.reason == .thinEvent)
            #expect(error.message.contains("thin event") && error.message.contains("snapshot-event endpoint"))
        }
    }

    @Test func snapshotView_carriesTheThinEventForRoutersAndHandlers() throws {
        let body = try Samples.thinBytes("v2.core.account.updated")
        let event = try StripeEvent.decode(from: body, style: .thin)
        #expect(event.object == "v2.core.event")
        #expect(event.payloadStyle == .thin)
        #expect(event.objectID == "acct_1SJYFLbcODkA5Zd7")
        #expect(event.objectType == "v2.core.account")
        #expect(event.created == 1_735_689_600)
        #expect(event.apiVersion == nil)
        #expect(event.thin?.reason?["request"]?["id"]?.stringValue == "req_v2SJYFLbcODkA5Zd7rZ16RuKJoESSQUtPVJKIgeI4D2Fp")
        // Patterns and the router treat thin types like any other.
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "accounts") { _, _ in }, for: [try EventPattern("v2.core.account.*")])
        #expect(router.handlers(for: event.type).map(\.name) == ["accounts"])
        #expect(router.handlers(for: "v2.core.event_destination.ping").isEmpty)
    }

    @Test func styleFromTheBody_decodesStoredBodiesOfEitherStyle() throws {
        let thin = try StripeEvent.decode(from: try Samples.thinBytes("v2.core.event_destination.ping"), style: nil)
        #expect(thin.thin?.relatedObject?.id == "ed_test_61RM8ltWcTW4mbsxf16RJyfa2xSQLHJJh1sxm7H0KVT6")
        let snapshot = try StripeEvent.decode(from: try Samples.bytes("invoice.paid"), style: nil)
        #expect(snapshot.thin == nil && snapshot.payloadStyle == .snapshot)
        #expect(PayloadStyle.of(try Samples.bytes("invoice.paid")) == .snapshot)
        #expect(PayloadStyle.of(try Samples.thinBytes("v2.core.account.updated")) == .thin)
        #expect(PayloadStyle.of(Array("[]".utf8)) == nil)
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)), ("2024-09-17T06:20:52.246Z", 1_726_554_052),
        ("2024-02-29T23:59:59.999999Z", 1_709_251_199), ("2024-09-17T08:20:52+02:00", 1_726_554_052),
        ("2024-09-17t06:20:52z", 1_726_554_052), ("1969-12-31T23:59:59Z", -1), ("2000-03-01T00:00:00-00:30", 951_870_600),
    ])
    func rfc3339_validDateTimes(_ text: String, _ seconds: Int64) {
        #expect(RFC3339Timestamp.unixSeconds(text) == seconds)
    }

    @Test(arguments: [
        "", "2024-09-17", "2024-09-17T06:20:52", "2024-9-17T06:20:52Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
        "2024-09-17T24:00:00Z", "2024-09-17T06:20:52.Z", "2024-09-17 06:20:52Z", "2024-09-17T06:20:52+0200", "2024-09-17T06:20:52Z ",
    ])
    func rfc3339_invalidDateTimes(_ text: String) {
        #expect(RFC3339Timestamp.unixSeconds(text) == nil)
    }
}
