import EventStore
import Foundation
import StripeWebhooks
import Testing
import WebhookSupport
@testable import WebhookDaemon

/// The durable dispatcher: per-handler success, back-off retries, dead letters and replay.
struct EventDispatcherTests {
    struct Flaky: Error, CustomStringConvertible { var description: String { "downstream said no" } }

    static func record(_ type: String = "payment_intent.succeeded") throws -> EventRecord {
        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: type, eventID: id)!
        let event = try StripeEvent.decode(from: body)
        return EventRecord(id: id, type: type, objectID: event.objectID, created: event.created, livemode: false,
                           account: nil, apiVersion: event.apiVersion, body: body, receivedAt: DispatcherClock.now(), verifiedBy: "test")
    }

    @Test func failingHandler_isRetriedThenDeadLetteredThenSucceedsOnReplay_andSucceededHandlersDoNotRerun() throws {
        let store = MemoryEventStore()
        let steadyRuns = LockedValue(0)
        let flakyAttempts = LockedValue<[Int]>([])
        let broken = LockedValue(true)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "steady") { _, _ in steadyRuns.withLock { $0 += 1 } }, for: try EventPattern("payment_intent.*"))
        router.register(ClosureEventHandler(name: "flaky") { _, context in
            flakyAttempts.withLock { $0.append(context.attempt) }
            if broken.withLock({ $0 }) { throw Flaky() }
        }, for: try EventPattern("payment_intent.succeeded"))
        let log = LogCapture()
        let dispatcher = EventDispatcher(store: store, router: router, retry: RetryPolicy(maxAttempts: 3, initialDelay: 20, maxDelay: 40),
                                         workers: 2, logger: Logger(label: "t", level: .debug, sink: log.sink()))
        let record = try Self.record()
        _ = try awaitInsert(store, record)
        dispatcher.start()
        defer { dispatcher.stop() }
        dispatcher.wake()

        #expect(TestSupport.eventually { (try? store.event(id: record.id))??.status == .failed })
        let failed = try #require(try store.event(id: record.id))
        #expect(failed.attempts == 3)
        #expect(failed.lastError?.contains("downstream said no") == true)
        #expect(flakyAttempts.withLock { $0 } == [1, 2, 3])  // the attempt number reaches the handler
        #expect(steadyRuns.withLock { $0 } == 1)            // succeeded once, never rerun on retries
        #expect(log.text.contains("dead letter"))

        broken.withLock { $0 = false }
        #expect(try store.requeue(ids: [record.id], force: false, now: DispatcherClock.now())[record.id] == .requeued)
        dispatcher.wake()
        #expect(TestSupport.eventually { (try? store.event(id: record.id))??.status == .done })
        #expect(steadyRuns.withLock { $0 } == 1)
        #expect(flakyAttempts.withLock { $0 }.count == 4)
        let runs = try #require(try store.event(id: record.id)).handlers
        #expect(runs.filter { $0.handler == "flaky" && !$0.succeeded }.count == 3)
        #expect(runs.filter { $0.handler == "flaky" && $0.succeeded }.count == 1)
    }

    @Test func unhandledType_isLoggedAndDone() throws {
        let store = MemoryEventStore()
        let log = LogCapture()
        let dispatcher = EventDispatcher(store: store, router: EventRouter(), retry: RetryPolicy(), workers: 1,
                                         logger: Logger(label: "t", sink: log.sink()))
        let record = try Self.record("customer.created")
        _ = try awaitInsert(store, record)
        dispatcher.start()
        defer { dispatcher.stop() }
        #expect(TestSupport.eventually { (try? store.event(id: record.id))??.status == .done })
        #expect(log.text.contains("Unhandled event type: customer.created"))
    }

    @Test func stop_letsTheRunningHandlerFinishAndLeavesTheRestPending() throws {
        let store = MemoryEventStore()
        let started = DispatchSemaphore(value: 0)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "slow") { _, _ in started.signal(); usleep(300_000) }, for: .all)
        let dispatcher = EventDispatcher(store: store, router: router, retry: RetryPolicy(), workers: 1,
                                         logger: Logger(label: "t", sink: LogCaptureSink.discard))
        // Two events about the same object: handled one after the other.
        let first = try Self.record(), second = try Self.record()
        _ = try awaitInsert(store, first)
        _ = try awaitInsert(store, second)
        dispatcher.start()
        #expect(started.wait(timeout: .now() + 5) == .success)
        dispatcher.stop()
        #expect(try store.event(id: first.id)?.status == .done)
        #expect(try store.event(id: second.id)?.status == .pending)
    }
}

/// Inserts synchronously, for test set-up.
func awaitInsert(_ store: any EventStore, _ record: EventRecord) throws -> InsertOutcome {
    let result = LockedValue<Result<InsertOutcome, EventStoreError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    store.insert(record) { outcome in result.withLock { $0 = outcome }; done.signal() }
    done.wait()
    return try result.withLock { $0! }.get()
}

enum DispatcherClock {
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
