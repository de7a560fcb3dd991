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

    @Test func attempt_countsRunsOfTheHandler_notClaimsOfTheEvent() throws {
        let store = MemoryEventStore()
        let attempts = LockedValue<[String: [Int]]>([:])
        let bFails = LockedValue(true)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "a") { _, context in attempts.withLock { $0["a", default: []].append(context.attempt) } },
                        for: try EventPattern("payment_intent.succeeded"))
        router.register(ClosureEventHandler(name: "b") { _, context in
            attempts.withLock { $0["b", default: []].append(context.attempt) }
            if bFails.withLock({ $0 }) { throw Flaky() }
        }, for: try EventPattern("payment_intent.succeeded"))
        let record = try Self.record()
        _ = try awaitInsert(store, record)
        // A daemon claimed it and died before any handler ran: a claim, but no run of either handler.
        #expect(try store.claimDue(now: DispatcherClock.now(), limit: 1).map(\.event.id) == [record.id])
        store.releaseClaims()

        let dispatcher = EventDispatcher(store: store, router: router, retry: RetryPolicy(maxAttempts: 3, initialDelay: 20, maxDelay: 40),
                                         workers: 1, logger: Logger(label: "t", sink: LogCaptureSink.discard))
        dispatcher.start()
        defer { dispatcher.stop() }
        // b fails its first run; the retry is b's second attempt (the event's third claim), and a,
        // which succeeded, does not run again.
        #expect(TestSupport.eventually { attempts.withLock { $0["b"]?.count ?? 0 } >= 1 })
        bFails.withLock { $0 = false }
        #expect(TestSupport.eventually { (try? store.event(id: record.id))??.status == .done })
        #expect(attempts.withLock { $0 } == ["a": [1], "b": [1, 2]])
        let stored = try #require(try store.event(id: record.id))
        #expect(stored.attempts == 3)
        #expect(stored.handlers.map { "\($0.handler)#\($0.attempt)" }.sorted() == ["a#1", "b#1", "b#2"])
    }

    @Test func outcomeTheStoreRefusedForAWhile_isRecordedLater_andTheHandlerRunsOnce() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        // A lease far shorter than the outage: before the fix, the event came back while the daemon ran.
        let store = try SQLiteEventStore(path: path, logger: Logger(label: "t", level: .critical, sink: LogCaptureSink.discard),
                                         options: .init(busyTimeout: .milliseconds(100), leaseDuration: .seconds(1)))
        defer { store.close() }
        let runs = LockedValue(0)
        let locker = LockedValue<Process?>(nil)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "fulfil") { _, _ in
            // The handler succeeds, and then the disk "fills": another process holds the write lock
            // for 4 s, so recording the outcome fails until it lets go.
            let first = runs.withLock { $0 += 1; return $0 == 1 }
            if first { locker.withLock { $0 = try? TestSupport.holdWriteLock(on: path, seconds: 4) } }
        }, for: .all)
        let log = LogCapture()
        let dispatcher = EventDispatcher(store: store, router: router, retry: RetryPolicy(), workers: 2,
                                         logger: Logger(label: "t", level: .debug, sink: log.sink()))
        let record = try Self.record()
        _ = try awaitInsert(store, record)
        dispatcher.start()
        defer { dispatcher.stop() }

        #expect(TestSupport.eventually(10) { locker.withLock { $0 } != nil }, "the lock holder did not start")
        locker.withLock { $0 }?.waitUntilExit()
        #expect(TestSupport.eventually(40) { (try? store.event(id: record.id))??.status == .done }, "\(log.text.suffix(2000))")
        // Well past the lease, the handler still ran once, and its one run is recorded.
        Thread.sleep(forTimeInterval: 1.5)
        #expect(runs.withLock { $0 } == 1)
        #expect(try store.event(id: record.id)?.handlers.map(\.handler) == ["fulfil"])
        #expect(log.text.contains("could not record the outcome"))
    }

    @Test func stop_releasesTheUnstartedRestOfTheBatch_andTheNextStartRunsThemOnce() throws {
        let store = MemoryEventStore()
        let runs = LockedValue<[String: Int]>([:])
        let started = DispatchSemaphore(value: 0)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "slow") { event, _ in
            runs.withLock { $0[event.id, default: 0] += 1 }
            started.signal()
            usleep(300_000)
        }, for: .all)
        // Twelve events about twelve objects: one worker claims them all in one batch.
        var records: [EventRecord] = []
        for index in 0..<12 {
            let id = SampleEvents.freshEventID()
            let body = TestSupport.event("customer.created", id: id, object: ["id": "cus_batch_\(index)", "object": "customer"])
            records.append(EventRecord(id: id, type: "customer.created", objectID: "cus_batch_\(index)", created: 1_700_000_000, livemode: false,
                                       account: nil, apiVersion: nil, body: body, receivedAt: DispatcherClock.now(), verifiedBy: "test"))
            _ = try awaitInsert(store, records.last!)
        }
        let first = EventDispatcher(store: store, router: router, retry: RetryPolicy(), workers: 1, logger: Logger(label: "t", sink: LogCaptureSink.discard))
        first.start()
        #expect(started.wait(timeout: .now() + 5) == .success)
        let stopping = ContinuousClock.now
        #expect(first.stop(deadline: .now + .seconds(5)))
        #expect(ContinuousClock.now - stopping < .seconds(2), "the stop waited for the whole batch")

        let summary = try store.summary()
        #expect(summary.claimed == 0, "a released event is still claimed")
        let done = records.filter { (try? store.event(id: $0.id))??.status == .done }
        #expect((1...2).contains(done.count))
        // Released events did not spend an attempt.
        for record in records where !done.contains(where: { $0.id == record.id }) {
            #expect(try store.event(id: record.id)?.attempts == 0)
        }

        let second = EventDispatcher(store: store, router: router, retry: RetryPolicy(), workers: 2, logger: Logger(label: "t", sink: LogCaptureSink.discard))
        second.start()
        defer { second.stop() }
        #expect(TestSupport.eventually(20) { records.allSatisfy { (try? store.event(id: $0.id))??.status == .done } })
        #expect(runs.withLock { $0 }.values.allSatisfy { $0 == 1 } && runs.withLock { $0 }.count == 12, "\(runs.withLock { $0 })")
    }

    @Test func stop_withAHandlerOutlastingTheDeadline_returnsAtTheDeadline() throws {
        let store = MemoryEventStore()
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "stuck") { _, _ in started.signal(); _ = release.wait(timeout: .now() + 20) }, for: .all)
        let dispatcher = EventDispatcher(store: store, router: router, retry: RetryPolicy(), workers: 1, logger: Logger(label: "t", sink: LogCaptureSink.discard))
        _ = try awaitInsert(store, try Self.record())
        dispatcher.start()
        #expect(started.wait(timeout: .now() + 5) == .success)
        let stopping = ContinuousClock.now
        #expect(!dispatcher.stop(deadline: .now + .milliseconds(500)))
        let took = ContinuousClock.now - stopping
        #expect(took >= .milliseconds(450) && took < .seconds(3), "took \(took)")
        release.signal()
        #expect(dispatcher.stop(deadline: .now + .seconds(10)))
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
