import EventStore
import Foundation
import StripeWebhooks
import Testing
@testable import WebhookDaemon

/// Thin events end to end over sockets: a daemon with a snapshot endpoint and a thin endpoint, each
/// with its own secret, fed by the `trigger` binary and by hand-made requests.
@Suite(.serialized)
struct ThinEventEndToEndTests {
    static let snapshotSecret = "whsec_snapshot_\(UUID().uuidString.prefix(8))"
    static let thinSecret = "whsec_thin_\(UUID().uuidString.prefix(8))"

    /// `/webhook` takes snapshot events (secret `snapshotSecret`), `/webhook/thin` thin ones (`thinSecret`).
    static func daemon(configure: (inout DaemonConfiguration) -> Void = { _ in }) throws -> RunningDaemon {
        try RunningDaemon(environment: ["SNAPSHOT_SECRET": snapshotSecret, "THIN_SECRET": thinSecret]) { configuration in
            var thin = EndpointConfiguration(path: "/webhook/thin", secrets: [SecretReference(parsing: "env:THIN_SECRET", label: "thin")])
            thin.payload = .thin
            configuration.endpoints = [
                EndpointConfiguration(path: "/webhook", secrets: [SecretReference(parsing: "env:SNAPSHOT_SECRET", label: "snapshot")]),
                thin,
            ]
            configure(&configuration)
        }
    }

    /// A command handler that records, per event, its variables (one line) and its standard input.
    static func recorder(_ name: String, events: [String], directory: URL) throws -> HandlerConfiguration {
        let script = try TestSupport.script("\(name).sh", in: directory, """
            cat > "\(directory.path)/$STRIPE_EVENT_ID.stdin"
            echo "$STRIPE_EVENT_TYPE|$STRIPE_EVENT_PAYLOAD|$STRIPE_OBJECT_ID|$STRIPE_RELATED_OBJECT_ID|$STRIPE_RELATED_OBJECT_TYPE|$STRIPE_RELATED_OBJECT_URL|$STRIPE_CONTEXT" > "\(directory.path)/$STRIPE_EVENT_ID.env"
            """)
        return HandlerConfiguration(name: name, events: events, action: .command(.init(argv: [script])))
    }

    /// The event id `trigger` printed for its one send.
    static func triggeredID(_ output: String) -> String? {
        output.firstMatch(of: #/(evt_\w+) -> /#).map { String($0.1) }
    }

    @Test func thinSamplesThroughTrigger_reachTheirHandlers_andSnapshotEventsStillTheirs() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = try Self.recorder("v2-accounts", events: ["v2.core.account.*", "v1.billing.meter.*"], directory: directory)
        let daemon = try Self.daemon { configuration in configuration.handlers = [recorder] }
        defer { daemon.stop() }
        let thinURL = "http://127.0.0.1:\(daemon.port)/webhook/thin"

        var ids: [String: String] = [:]
        for type in SampleEvents.thinTypes {
            let run = try CommandLineTests.run(["trigger", type, "--url", thinURL, "--secret", Self.thinSecret])
            #expect(run.status == 0, "\(type): \(run.out) \(run.err)")
            #expect(run.out.contains("-> 200"), "\(type): \(run.out)")
            let id: String = try #require(Self.triggeredID(run.out))
            ids[type] = id
        }
        // A snapshot event on its own endpoint, as before.
        let snapshot = try CommandLineTests.run(["trigger", "payment_intent.succeeded", "--url", "http://127.0.0.1:\(daemon.port)/webhook", "--secret", Self.snapshotSecret])
        #expect(snapshot.out.contains("-> 200"), "\(snapshot.out)")
        #expect(TestSupport.eventually { !daemon.lines(containing: "PaymentIntent was successful!").isEmpty })

        // The ping: answered, stored, handled by the built-in handler.
        let ping = try #require(ids["v2.core.event_destination.ping"])
        let pingEvent = daemon.waitForEvent(ping, status: .done)
        #expect(pingEvent?.handlers.map(\.handler) == ["builtin.event_destination.ping"])
        #expect(!daemon.lines(containing: "Event destination ping", "event_destination.id=ed_test_61RM8ltWcTW4mbsxf16RJyfa2xSQLHJJh1sxm7H0KVT6", ping).isEmpty)

        // The account and meter events: the configured handler, with the thin body and the thin variables.
        let account = try #require(ids["v2.core.account.updated"])
        let meter = try #require(ids["v1.billing.meter.error_report_triggered"])
        for id in [account, meter] {
            let stored = try #require(daemon.waitForEvent(id, status: .done))
            #expect(stored.handlers.map(\.handler) == ["v2-accounts"])
            #expect(PayloadStyle.of(stored.record.body) == .thin)
            let stdin = try Data(contentsOf: directory.appendingPathComponent("\(id).stdin"))
            #expect(Array(stdin) == stored.record.body, "the handler gets the thin body as received")
        }
        let accountEnv = try String(contentsOf: directory.appendingPathComponent("\(account).env"), encoding: .utf8)
        #expect(accountEnv == "v2.core.account.updated|thin|acct_1SJYFLbcODkA5Zd7|acct_1SJYFLbcODkA5Zd7|v2.core.account|/v2/core/accounts/acct_1SJYFLbcODkA5Zd7|\n")
        let meterEnv = try String(contentsOf: directory.appendingPathComponent("\(meter).env"), encoding: .utf8)
        #expect(meterEnv == "v1.billing.meter.error_report_triggered|thin|mtr_test_61R9IeP0lQ4ToBKdm41J5wa7RBBhJqh5|mtr_test_61R9IeP0lQ4ToBKdm41J5wa7RBBhJqh5|billing.meter|/v1/billing/meters/mtr_test_61R9IeP0lQ4ToBKdm41J5wa7RBBhJqh5|acct_1PgafTB7WZ01zgkW\n")

        // The store keeps related_object.id for per-object order and created in Unix seconds.
        let stored = try #require(daemon.storedEvent(meter))
        #expect(stored.record.objectID == "mtr_test_61R9IeP0lQ4ToBKdm41J5wa7RBBhJqh5")
        #expect(stored.record.created == 1_726_554_052)
        #expect(stored.record.verifiedBy == "thin")

        // events list and show say the payload style.
        let list = try CommandLineTests.run(["events", "list", "--store", "sqlite:\(daemon.databasePath)", "--json"])
        let lines = list.out.split(separator: "\n")
        #expect(lines.count == 4, "\(list.out) \(list.err)")
        #expect(lines.filter { $0.contains(#""payload_style":"thin""#) }.count == 3)
        #expect(lines.filter { $0.contains(#""payload_style":"snapshot""#) }.count == 1)
        let table = try CommandLineTests.run(["events", "list", "--store", "sqlite:\(daemon.databasePath)"])
        #expect(table.out.split(separator: "\n").contains { $0.contains(" thin ") && $0.contains(account) }, "\(table.out)")
        let show = try CommandLineTests.run(["events", "show", account, "--store", "sqlite:\(daemon.databasePath)"])
        #expect(show.out.contains("style:        thin"), "\(show.out)")
        #expect(show.out.contains("object_id:    acct_1SJYFLbcODkA5Zd7"))
    }

    @Test func mixUpsAreRefusedWithAMessage_duplicatesAreAnsweredOnce() throws {
        let daemon = try Self.daemon()
        defer { daemon.stop() }
        let snapshot = SampleEvents.payload(for: "invoice.paid", eventID: SampleEvents.freshEventID())!
        let thin = SampleEvents.payload(for: "v2.core.account.updated", eventID: SampleEvents.freshEventID())!

        let snapshotOnThin = try daemon.post(snapshot, signature: TestSupport.sign(snapshot, secret: Self.thinSecret), path: "/webhook/thin")
        #expect(snapshotOnThin.status == 400)
        #expect(snapshotOnThin.body.hasPrefix(#"{"error":"snapshot_event","message":"this is a snapshot event"#), "\(snapshotOnThin.body)")
        #expect(snapshotOnThin.body.contains("not to this thin-event endpoint"))

        let thinOnSnapshot = try daemon.post(thin, signature: TestSupport.sign(thin, secret: Self.snapshotSecret), path: "/webhook")
        #expect(thinOnSnapshot.status == 400)
        #expect(thinOnSnapshot.body.hasPrefix(#"{"error":"thin_event","message":"this is a thin event"#), "\(thinOnSnapshot.body)")
        #expect(thinOnSnapshot.body.contains("not to this snapshot-event endpoint"))

        // Each endpoint checks its own secret only.
        let wrongSecret = try daemon.post(thin, signature: TestSupport.sign(thin, secret: Self.snapshotSecret), path: "/webhook/thin")
        #expect(wrongSecret.status == 400 && wrongSecret.body == #"{"error":"signature_mismatch"}"#)
        // A bad thin envelope: 400 with its reason.
        let unixCreated = Array(#"{"id":"evt_bad","object":"v2.core.event","type":"v2.core.account.updated","created":1726554052,"livemode":false}"#.utf8)
        let bad = try daemon.post(unixCreated, signature: TestSupport.sign(unixCreated, secret: Self.thinSecret), path: "/webhook/thin")
        #expect(bad.status == 400 && bad.body == #"{"error":"invalid_field"}"#)

        // A thin event twice: stored once, the second answer says duplicate.
        let first = try daemon.post(thin, signature: TestSupport.sign(thin, secret: Self.thinSecret), path: "/webhook/thin")
        let second = try daemon.post(thin, signature: TestSupport.sign(thin, secret: Self.thinSecret), path: "/webhook/thin")
        #expect(first.status == 200 && first.body == #"{"received":true}"#)
        #expect(second.status == 200 && second.body.contains(#""duplicate":true"#))
        #expect(daemon.lines(containing: "duplicate event", TestSupport.eventID(of: thin)).count == 1)
        // Nothing refused was stored.
        #expect(daemon.storedEvent(TestSupport.eventID(of: snapshot)) == nil)
        #expect(daemon.storedEvent("evt_bad") == nil)
    }

    /// A thin event about `account` with a fresh id.
    static func accountEvent(_ account: String) -> [UInt8] {
        Array("""
            {"id": "\(SampleEvents.freshEventID())", "object": "v2.core.event", "type": "v2.core.account.updated",
             "created": "2025-01-01T00:00:00.000Z", "livemode": false,
             "related_object": {"id": "\(account)", "type": "v2.core.account", "url": "/v2/core/accounts/\(account)"}}
            """.utf8)
    }

    @Test func eventsAboutOneRelatedObject_runInOrder_othersDoNotWait() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.accountEvent("acct_ordered"), second = Self.accountEvent("acct_ordered"), other = Self.accountEvent("acct_other")
        let firstID = TestSupport.eventID(of: first)
        let runs = directory.appendingPathComponent("runs").path
        // The first event's handler fails, and its retry is a minute away: the second must wait for it.
        let script = try TestSupport.script("ordered.sh", in: directory, """
            echo "$STRIPE_EVENT_ID" >> \(runs)
            [ "$STRIPE_EVENT_ID" != "\(firstID)" ]
            """)
        let daemon = try Self.daemon { configuration in
            configuration.retry.initialDelaySeconds = 60
            configuration.retry.maxDelaySeconds = 60
            configuration.handlers = [HandlerConfiguration(name: "ordered", events: ["v2.core.account.*"], action: .command(.init(argv: [script])))]
        }
        defer { daemon.stop() }
        #expect(try daemon.post(first, signature: TestSupport.sign(first, secret: Self.thinSecret), path: "/webhook/thin").status == 200)
        #expect(TestSupport.eventually { daemon.storedEvent(firstID)?.handlers.count == 1 })
        for body in [second, other] {
            #expect(try daemon.post(body, signature: TestSupport.sign(body, secret: Self.thinSecret), path: "/webhook/thin").status == 200)
        }
        #expect(daemon.waitForEvent(TestSupport.eventID(of: other), status: .done)?.status == .done)
        let waiting = try #require(daemon.storedEvent(TestSupport.eventID(of: second)))
        #expect(waiting.status == .pending && waiting.handlers.isEmpty, "the second event about acct_ordered ran before the first succeeded")
        let ran = ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(ran == [firstID, TestSupport.eventID(of: other)])
        let list = try CommandLineTests.run(["events", "list", "--store", "sqlite:\(daemon.databasePath)"])
        #expect(list.out.contains("└ waiting behind \(firstID)"), "\(list.out)")
    }
}
