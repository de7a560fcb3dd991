import EventStore
import Foundation
import Testing
@testable import WebhookDaemon

/// `dedupe_key`: one business fact, one run, across event types, concurrent workers and restarts.
@Suite(.serialized)
struct DedupeKeyTests {
    /// The README's example: Checkout with invoice creation sends both events for one payment.
    static func markPaid(script: String) -> HandlerConfiguration {
        var handler = HandlerConfiguration(name: "mark-paid", events: ["checkout.session.completed", "invoice.paid"], action: .command(.init(argv: [script])))
        handler.dedupeKey = ["checkout.session.completed": "data.object.invoice", "invoice.paid": "data.object.id"]
        return handler
    }

    /// A daemon with two workers and the mark-paid handler, on `database`.
    static func daemon(database: String, script: String) throws -> RunningDaemon {
        try RunningDaemon(store: "sqlite:\(database)") { configuration in
            configuration.workers = 2
            configuration.handlers = [markPaid(script: script)]
        }
    }

    /// The pair of events for one invoice: about different objects, so two workers take them at once.
    static func pair(invoice: String) -> [[UInt8]] {
        [
            TestSupport.event("checkout.session.completed", object: ["id": "cs_\(invoice)", "object": "checkout.session", "invoice": invoice]),
            TestSupport.event("invoice.paid", object: ["id": invoice, "object": "invoice", "status": "paid"]),
        ]
    }

    @Test func checkoutAndInvoicePaid_runTheHandlerOncePerInvoice_concurrentlyAndAcrossRestarts() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs").path
        // Slow enough that both events are being handled at the same time.
        let script = try TestSupport.script("mark-paid.sh", in: directory, "sleep 0.3; echo \"$STRIPE_EVENT_TYPE $STRIPE_EVENT_ID\" >> \(runs)")
        let database = directory.appendingPathComponent("events.sqlite").path
        func lines() -> [String] { ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        var daemon = try Self.daemon(database: database, script: script)
        let first = Self.pair(invoice: "in_dedupe_1")
        let statuses = LockedStatuses()
        let running = daemon
        DispatchQueue.concurrentPerform(iterations: first.count) { index in statuses.append((try? running.post(first[index]).status) ?? -1) }
        #expect(statuses.values == [200, 200])
        let events = first.map { daemon.waitForEvent(TestSupport.eventID(of: $0), status: .done) }
        #expect(events.allSatisfy { $0?.status == .done })
        #expect(lines().count == 1, "the handler ran \(lines().count) times: \(lines())")
        let markRuns = events.compactMap { $0?.handlers.first { $0.handler == "mark-paid" } }
        #expect(markRuns.count == 2 && markRuns.allSatisfy(\.succeeded))
        let skipped = markRuns.filter { $0.output?.hasPrefix("skipped: dedupe key in_dedupe_1 belongs to evt_") == true }
        #expect(skipped.count == 1, "\(markRuns.map(\.output))")
        #expect(!daemon.lines(containing: "handler skipped", "dedupe.key=in_dedupe_1").isEmpty)

        // A restart keeps the key: Stripe's late third copy (a new event id) for the same invoice is skipped.
        daemon.stop()
        daemon = try Self.daemon(database: database, script: script)
        defer { daemon.stop() }
        let late = TestSupport.event("invoice.paid", object: ["id": "in_dedupe_1", "object": "invoice"])
        #expect(try daemon.post(late).status == 200)
        #expect(daemon.waitForEvent(TestSupport.eventID(of: late), status: .done)?.handlers.first { $0.handler == "mark-paid" }?.output?.hasPrefix("skipped") == true)
        #expect(lines().count == 1)

        // Another invoice is another fact: one more run. A session without an invoice has no key: it runs.
        let second = Self.pair(invoice: "in_dedupe_2")
        for body in second { #expect(try daemon.post(body).status == 200) }
        for body in second { daemon.waitForEvent(TestSupport.eventID(of: body), status: .done) }
        let noInvoice = TestSupport.event("checkout.session.completed", object: ["id": "cs_no_invoice", "object": "checkout.session", "invoice": "null"])
        #expect(try daemon.post(noInvoice).status == 200)
        daemon.waitForEvent(TestSupport.eventID(of: noInvoice), status: .done)
        #expect(lines().count == 3, "\(lines())")
        #expect(lines().last == "checkout.session.completed \(TestSupport.eventID(of: noInvoice))")
    }

    @Test func failingOwner_keepsTheKey_andRunsItOnReplay() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try TestSupport.script("mark-paid.sh", in: directory, "exit 1")
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 1, initialDelaySeconds: 0.05, maxDelaySeconds: 1)
            configuration.handlers = [Self.markPaid(script: script)]
        }
        defer { daemon.stop() }
        let (session, invoice) = (Self.pair(invoice: "in_owner")[0], Self.pair(invoice: "in_owner")[1])
        #expect(try daemon.post(session).status == 200)
        #expect(daemon.waitForEvent(TestSupport.eventID(of: session), status: .failed) != nil)
        // The second event of the pair is covered by the first, which is a dead letter to replay.
        #expect(try daemon.post(invoice).status == 200)
        let covered = daemon.waitForEvent(TestSupport.eventID(of: invoice), status: .done)
        #expect(covered?.handlers.first { $0.handler == "mark-paid" }?.output?.contains(TestSupport.eventID(of: session)) == true)

        try TestSupport.script("mark-paid.sh", in: directory, "echo ran for $STRIPE_EVENT_ID")
        let replay = try CommandLineTests.run(["events", "replay", TestSupport.eventID(of: session), "--store", "sqlite:\(daemon.databasePath)"])
        #expect(replay.status == 0)
        let done = daemon.waitForEvent(TestSupport.eventID(of: session), status: .done)
        #expect(done?.handlers.last?.output == "stdout:\nran for \(TestSupport.eventID(of: session))")
    }
}
