import EventStore
import Foundation
import StripeWebhooks
import Testing
@testable import WebhookDaemon

/// The README's migration recipe: while Stripe sends a v1 event both as a snapshot event and as its
/// thin twin, `"snapshot_event|id"` gives both the snapshot event's id, so the handler runs once.
extension DedupeKeyTests {
    /// A thin twin of the snapshot event `snapshotID`, created at the same instant (the snapshot events
    /// of `TestSupport.event` are created at 1700000000).
    static func thinTwin(of snapshotID: String, invoice: String) -> [UInt8] {
        Array("""
            {"id": "\(SampleEvents.freshEventID())", "object": "v2.core.event", "type": "v1.invoice.paid",
             "created": "2023-11-14T22:13:20.000Z", "livemode": false, "snapshot_event": "\(snapshotID)",
             "related_object": {"id": "\(invoice)", "type": "invoice", "url": "/v1/invoices/\(invoice)"}}
            """.utf8)
    }

    @Test(arguments: [
        ("snapshot_event|id", #"{"id":"evt_thin","snapshot_event":"evt_snap"}"#, DedupeKey.Lookup.key("evt_snap")),
        ("snapshot_event|id", #"{"id":"evt_thin","snapshot_event":null}"#, .key("evt_thin")),
        ("snapshot_event|id", #"{"id":"evt_thin","snapshot_event":""}"#, .key("evt_thin")),
        ("snapshot_event|related_object.id", #"{"id":"evt_thin"}"#, .missing(path: "snapshot_event|related_object.id")),
        ("related_object.id", #"{"id":"evt_thin","related_object":{"id":"acct_1","type":"v2.core.account","url":"/v2/core/accounts/acct_1"}}"#, .key("acct_1")),
    ])
    func firstPresentPath_isTheKey(_ expression: String, _ envelope: String, _ expected: DedupeKey.Lookup) throws {
        let body = Array(envelope.dropLast().appending(#","object":"v2.core.event","type":"v1.invoice.paid","created":"2025-01-01T00:00:00Z","livemode":false}"#).utf8)
        let event = try StripeEvent.decode(from: body, style: .thin)
        #expect(DedupeKey(paths: ["v1.invoice.paid": expression]).lookup(event, body: body) == expected)
    }

    @Test func snapshotEventAndItsThinTwin_runTheHandlerOnce() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs").path
        let script = try TestSupport.script("fulfil.sh", in: directory, "echo \"$STRIPE_EVENT_TYPE $STRIPE_EVENT_ID\" >> \(runs)")
        var handler = HandlerConfiguration(name: "fulfil", events: ["invoice.paid", "v1.invoice.paid"], action: .command(.init(argv: [script])))
        handler.dedupeKey = ["invoice.paid": "id", "v1.invoice.paid": "snapshot_event|id"]
        let daemon = try ThinEventEndToEndTests.daemon { configuration in configuration.handlers = [handler] }
        defer { daemon.stop() }
        func lines() -> [String] { ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        // Both orders: the thin twin first for one invoice, the snapshot event first for the other.
        for (invoice, twinFirst) in [("in_twin_1", true), ("in_twin_2", false)] {
            let snapshot = TestSupport.event("invoice.paid", object: ["id": invoice, "object": "invoice", "status": "paid"])
            let snapshotID = TestSupport.eventID(of: snapshot)
            let twin = Self.thinTwin(of: snapshotID, invoice: invoice)
            let deliveries = [
                (twin, "/webhook/thin", ThinEventEndToEndTests.thinSecret),
                (snapshot, "/webhook", ThinEventEndToEndTests.snapshotSecret),
            ]
            for (body, path, secret) in twinFirst ? deliveries : deliveries.reversed() {
                #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: secret), path: path).status == 200)
                #expect(daemon.waitForEvent(TestSupport.eventID(of: body), status: .done)?.status == .done)
            }
            let later = daemon.storedEvent(TestSupport.eventID(of: twinFirst ? snapshot : twin))
            let skipped = later?.handlers.first { $0.handler == "fulfil" }
            #expect(skipped?.output?.hasPrefix("skipped: dedupe key \(snapshotID) belongs to") == true, "\(String(describing: skipped?.output)) \(daemon.log.text)")
        }
        #expect(lines().count == 2, "one run per invoice: \(lines())")
        #expect(lines().first?.hasPrefix("v1.invoice.paid ") == true && lines().last?.hasPrefix("invoice.paid ") == true, "\(lines())")
    }
}
