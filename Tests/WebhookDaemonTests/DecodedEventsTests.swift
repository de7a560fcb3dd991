import EventStore
import Foundation
import StripeWebhooks
import Testing
import WebhookSupport
@testable import WebhookDaemon

/// The hand-off of receive-time decodings to the dispatcher: used only for the very bytes they were
/// decoded from, taken once, bounded; a stored body that differs is decoded afresh, as before.
struct DecodedEventsTests {
    /// A sample body of `type` under `id`, and its decoding.
    private static func sample(_ type: String, id: String) throws -> (body: [UInt8], event: StripeEvent) {
        let body = try #require(SampleEvents.payload(for: type, eventID: id))
        return (body, try StripeEvent.decode(from: body))
    }

    @Test func take_givesTheDecodingOnlyForTheSameBytes_andOnlyOnce() throws {
        let decoded = DecodedEvents()
        let id = SampleEvents.freshEventID()
        let (body, event) = try Self.sample("payment_intent.succeeded", id: id)
        decoded.put(event, body: body)
        #expect(decoded.take(id, body: body) == event)
        #expect(decoded.take(id, body: body) == nil)  // taken: the next claim decodes from the store

        decoded.put(event, body: body)
        var changed = body
        changed[changed.count / 2] ^= 0x01
        #expect(decoded.take(id, body: changed) == nil)
        #expect(decoded.take(id, body: body) == nil)  // a mismatch forgets it too
        #expect(decoded.count == 0)
    }

    @Test func pastCapacity_theOldestIsForgotten() throws {
        let decoded = DecodedEvents(capacity: 2)
        let samples = try (0..<3).map { _ in try Self.sample("payment_intent.succeeded", id: SampleEvents.freshEventID()) }
        for (body, event) in samples { decoded.put(event, body: body) }
        #expect(decoded.count == 2)
        #expect(decoded.take(samples[0].event.id, body: samples[0].body) == nil)
        #expect(decoded.take(samples[1].event.id, body: samples[1].body) == samples[1].event)
        #expect(decoded.take(samples[2].event.id, body: samples[2].body) == samples[2].event)
    }

    /// A dispatcher over a memory store whose handler notes the type and amount it was given.
    private static func dispatcher(seen: LockedValue<[String]>, log: LogCapture) throws -> EventDispatcher {
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "note") { event, _ in
            let amount = event.data.objectMembers(named: ["amount"])["amount"]?.int64Value ?? -1
            seen.withLock { $0.append("\(event.type.rawValue) \(amount)") }
        }, for: try EventPattern("payment_intent.*"))
        return EventDispatcher(store: MemoryEventStore(), router: router, retry: RetryPolicy(), workers: 1,
                               logger: Logger(label: "t", sink: log.sink()))
    }

    @Test func process_withTheReceivedBodyStored_handsTheHandlerTheReceivedDecoding() throws {
        let seen = LockedValue<[String]>([])
        let dispatcher = try Self.dispatcher(seen: seen, log: LogCapture())
        let record = try EventDispatcherTests.record()
        let received = try StripeEvent.decode(from: record.body)
        dispatcher.decodedEvents.put(received, body: record.body)
        let outcome = dispatcher.process(WorkItem(event: record, attempt: 1, succeededHandlers: []))
        #expect(outcome.ending == .done)
        #expect(dispatcher.decodedEvents.count == 0)
        let amount = received.data.objectMembers(named: ["amount"])["amount"]?.int64Value ?? -1
        #expect(seen.withLock { $0 } == ["payment_intent.succeeded \(amount)"])
    }

    @Test func process_withADifferentBodyStored_decodesTheStoredBody() throws {
        let seen = LockedValue<[String]>([])
        let dispatcher = try Self.dispatcher(seen: seen, log: LogCapture())
        let record = try EventDispatcherTests.record()
        // A decoding kept for the same id but other bytes must not reach the handler.
        let other = try Self.sample("payment_intent.created", id: record.id)
        dispatcher.decodedEvents.put(other.event, body: other.body)
        let outcome = dispatcher.process(WorkItem(event: record, attempt: 1, succeededHandlers: []))
        #expect(outcome.ending == .done)
        #expect(seen.withLock { $0 }.first?.hasPrefix("payment_intent.succeeded ") == true)
    }

    @Test func process_withACorruptStoredBody_isADeadLetterEvenWithAReceivedDecodingKept() throws {
        let seen = LockedValue<[String]>([])
        let log = LogCapture()
        let dispatcher = try Self.dispatcher(seen: seen, log: log)
        let good = try EventDispatcherTests.record()
        dispatcher.decodedEvents.put(try StripeEvent.decode(from: good.body), body: good.body)
        var corrupt = good
        corrupt.body = Array(good.body.dropLast(40))
        let outcome = dispatcher.process(WorkItem(event: corrupt, attempt: 1, succeededHandlers: []))
        guard case .failed(let error) = outcome.ending else {
            Issue.record("expected a dead letter, got \(outcome.ending)")
            return
        }
        #expect(error.hasPrefix("stored body no longer decodes: "))
        #expect(seen.withLock { $0 }.isEmpty)
        #expect(log.text.contains("dead letter"))
    }
}
