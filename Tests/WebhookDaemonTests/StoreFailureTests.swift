import EventStore
import Foundation
import Testing
@testable import WebhookDaemon

/// When the store cannot take an event, the answer is 503 with Retry-After, never 200, nothing
/// unstored is acknowledged, and the daemon serves again once the store recovers.
@Suite(.serialized)
struct StoreFailureTests {
    @Test func lockedDatabase_answers503AndRecoversWithoutRestart() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let path = daemon.directory.appendingPathComponent("events.sqlite").path
        // Another process holds the write lock (as a stuck backup or a second writer would) for 7 s;
        // the daemon's busy timeout is 5 s.
        let locker = try TestSupport.holdWriteLock(on: path, seconds: 7)

        let refusedID = SampleEvents.freshEventID()
        let refused = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: refusedID)!)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "5")
        #expect(refused.body == #"{"error":"store_unavailable"}"#)
        #expect(!daemon.lines(containing: "could not store event", refusedID).isEmpty)
        locker.waitUntilExit()

        // Nothing was acknowledged or stored for the refused event, and no handler ran for it.
        let reader = try SQLiteEventStore(path: path, logger: .init(label: "t", sink: LogCaptureSink.discard), options: .init(readOnly: true))
        defer { reader.close() }
        #expect(try reader.event(id: refusedID) == nil)
        #expect(daemon.lines(containing: "PaymentIntent was successful!", refusedID).isEmpty)

        // The lock is gone: Stripe's retry of the same event is stored and handled.
        let retried = try daemon.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: refusedID)!)
        #expect(retried.status == 200)
        #expect(try reader.event(id: refusedID) != nil)
        #expect(TestSupport.eventually { !daemon.lines(containing: "PaymentIntent was successful!", refusedID).isEmpty })
    }
}
