import EventStore
import Foundation
import StripeWebhooks
import WebhookSupport

/// Runs handlers for stored events on its own worker threads (never the cooperative pool): claims due
/// events from the store, runs every matching handler that has not yet succeeded for the event, and
/// records the outcome: done, retry later with back-off, or failed (dead letter). Handlers and the
/// retry policy come from the current runtime, read once per event, so a reload applies to the next
/// event while runs in flight finish with the handlers they started with.
final class EventDispatcher: @unchecked Sendable {
    // @unchecked: mutable state (`state`, `wakeups`, `threadsRunning`) is guarded by `condition`.
    private enum State { case idle, running, stopping, stopped }

    private let store: any EventStore
    private let runtime: LockedValue<DaemonRuntime>
    private let workerCount: Int
    private let logger: Logger
    /// Counts handler runs, retries and dead letters.
    private let metrics: DaemonMetrics?
    private let condition = NSCondition()
    private var state = State.idle
    private var wakeups = 0
    private var threadsRunning = 0
    /// When a stop gives up on what workers still do (set by `beginStop`); nil: wait for them.
    private var stopDeadline: ContinuousClock.Instant?
    /// Events decoded when received, so that a worker does not decode the stored body again.
    let decodedEvents = DecodedEvents()

    /// Longest a worker sleeps before looking for due retries again.
    static let pollInterval: TimeInterval = 0.5
    /// Events one worker claims at a time.
    static let claimBatch = 16
    /// Claims of an event allowed per attempt of a handler before it is given up although its runs
    /// are not all recorded: a handler that kills the daemon must not be retried forever.
    static let claimsPerAttempt = 2
    /// Longest a worker holds finished outcomes before recording them.
    static let reportInterval = Duration.seconds(1)
    /// First wait before recording an outcome again after the store refused it; doubles each time.
    static let reportRetryInitialDelay: TimeInterval = 0.25
    /// Longest wait between attempts at recording an outcome.
    static let reportRetryMaxDelay: TimeInterval = 30

    /// Creates a dispatcher over `store` with `workers` threads, reading handlers from `runtime`.
    init(store: any EventStore, runtime: LockedValue<DaemonRuntime>, workers: Int, logger: Logger, metrics: DaemonMetrics? = nil) {
        self.metrics = metrics
        self.store = store
        self.runtime = runtime
        self.workerCount = workers
        self.logger = logger
    }

    /// Creates a dispatcher with a fixed router and retry policy.
    convenience init(store: any EventStore, router: EventRouter, retry: RetryPolicy, workers: Int, logger: Logger) {
        self.init(store: store, runtime: LockedValue(DaemonRuntime(router: router, retry: retry)), workers: workers, logger: logger)
    }

    /// Returns interrupted work to the queue and starts the workers.
    func start() {
        store.releaseClaims()
        condition.lock()
        defer { condition.unlock() }
        guard state == .idle else { return }
        state = .running
        for index in 0..<workerCount {
            threadsRunning += 1
            let thread = Thread { [self] in self.work() }
            thread.name = "webhookd-worker-\(index)"
            thread.start()
        }
    }

    /// Wakes a worker: a new event was stored. Only the first wake-up since a worker last looked
    /// signals; the worker that takes it claims a whole batch, and while events keep arriving the next
    /// wake-up finds `wakeups` reset and signals again. (A signal per event woke idle workers thousands
    /// of times a second only to find the events claimed.)
    func wake() {
        condition.lock()
        if wakeups == 0 { condition.signal() }
        wakeups += 1
        condition.unlock()
    }

    /// Begins a graceful stop and returns at once: workers claim nothing more, finish the handler each
    /// is running, return the rest of their claimed batch to pending (`EventStore.release`), record
    /// their outcomes and exit. Until `deadline` (nil: as long as it takes) a worker keeps retrying an
    /// outcome the store refused; after it, such an event is left claimed and runs again at the next
    /// start. Idempotent; the earliest deadline given wins.
    func beginStop(deadline: ContinuousClock.Instant? = nil) {
        condition.lock()
        if state == .running || state == .idle { state = .stopping }
        if let deadline { stopDeadline = min(stopDeadline ?? deadline, deadline) }
        condition.broadcast()
        condition.unlock()
    }

    /// Stops gracefully (see `beginStop`) and waits until every worker has exited or `deadline` has
    /// passed; returns whether every worker exited. Events not yet handled stay pending for the next
    /// start; a handler still running at the deadline is abandoned to the process's exit.
    @discardableResult
    func stop(deadline: ContinuousClock.Instant? = nil) -> Bool {
        beginStop(deadline: deadline)
        condition.lock()
        defer { condition.unlock() }
        while threadsRunning > 0 {
            if let deadline {
                let remaining = deadline - .now
                guard remaining > .zero else { break }
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.seconds(remaining)))
            } else {
                condition.wait()
            }
        }
        let finished = threadsRunning == 0
        if finished { state = .stopped }
        return finished
    }

    /// Worker threads taking work now, and how many there should be: none take work before `start`
    /// or once `stop` began.
    var workerCounts: (running: Int, expected: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (state == .running ? threadsRunning : 0, workerCount)
    }

    private var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state == .running
    }

    private func work() {
        defer {
            condition.lock()
            threadsRunning -= 1
            condition.broadcast()
            condition.unlock()
        }
        // Each turn records the previous batch's outcomes and claims the next batch in one store
        // write. Outcomes wait for the turn unless handlers are slow: then they are recorded about
        // every `reportInterval`, so claims stay short-lived in the store and a crash repeats little.
        var outcomes: [EventOutcome] = []
        while isRunning {
            let turn = store.reportAndClaim(outcomes, now: Self.nowMillis(), limit: Self.claimBatch)
            let unrecorded = unrecordedOutcomes(outcomes, turn.reportErrors)
            outcomes.removeAll()
            if !unrecorded.isEmpty { keepRecording(unrecorded) }
            let items: [WorkItem]
            switch turn.claimed {
            case .success(let claimed):
                items = claimed
            case .failure(let error):
                logger.error("could not claim events from the store; retrying", metadata: ["error.message": String(describing: error)])
                sleep(seconds: 1)
                continue
            }
            if items.isEmpty {
                sleep(seconds: Self.pollInterval)
                continue
            }
            // The batch's log lines go out together, before its outcomes are recorded (and before
            // anything that blocks, see `run`): one write(2) for a batch instead of one per line.
            LogSink.holdLines()
            var since = ContinuousClock.now
            for (index, item) in items.enumerated() {
                // A stop lets the handler running now finish and hands the rest of the batch back.
                guard isRunning else {
                    releaseUnstarted(items[index...].map(\.event.id))
                    break
                }
                outcomes.append(process(item))
                if ContinuousClock.now - since >= Self.reportInterval {
                    LogSink.writeHeldLines()
                    let unrecorded = unrecordedOutcomes(outcomes, store.report(outcomes))
                    outcomes.removeAll()
                    if !unrecorded.isEmpty { keepRecording(unrecorded) }
                    since = .now
                }
            }
            LogSink.releaseLines()
        }
        if !outcomes.isEmpty {
            let unrecorded = unrecordedOutcomes(outcomes, store.report(outcomes))
            if !unrecorded.isEmpty { keepRecording(unrecorded) }
        }
    }

    /// The outcomes the store refused with a retryable error, to be recorded again; logs the others
    /// (the claim is gone: an operator requeued the event, or another instance took it after its lease
    /// lapsed), which no retry can record.
    private func unrecordedOutcomes(_ outcomes: [EventOutcome], _ errors: [EventStoreError?]) -> [EventOutcome] {
        var unrecorded: [EventOutcome] = []
        for (outcome, error) in zip(outcomes, errors) {
            guard let error else { continue }
            if error.isRetryable {
                unrecorded.append(outcome)
            } else {
                logger.error("could not record the event's outcome, and retrying cannot help", metadata: [
                    "event.id": outcome.eventID, "error.message": String(describing: error),
                ])
            }
        }
        return unrecorded
    }

    /// Records `outcomes`, which the store just refused, again and again with back-off until it takes
    /// them: a handler that ran must not run again because its outcome was not written down (the store
    /// keeps such events claimed by this instance meanwhile). Gives up only once a stop's deadline has
    /// passed; those events then run again at the next start.
    private func keepRecording(_ outcomes: [EventOutcome]) {
        var waiting = outcomes
        var delay = Self.reportRetryInitialDelay
        var tries = 1
        while !waiting.isEmpty {
            if stopDeadlinePassed {
                for outcome in waiting {
                    logger.error("could not record the event's outcome before the stop deadline; its handlers run again at the next start", metadata: [
                        "event.id": outcome.eventID,
                    ])
                }
                return
            }
            logger.warning("could not record the outcome of \(waiting.count) handled events; retrying", metadata: [
                "event.id": waiting[0].eventID, "retry.in_ms": String(Int(delay * 1000)), "report.tries": String(tries),
            ])
            pause(seconds: delay)
            delay = min(delay * 2, Self.reportRetryMaxDelay)
            tries += 1
            waiting = unrecordedOutcomes(waiting, store.report(waiting))
        }
        if tries > 1 { logger.notice("recorded the outcome after \(tries) tries", metadata: ["report.tries": String(tries)]) }
    }

    /// Hands claimed events this worker did not start back to the store at a stop.
    private func releaseUnstarted(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        do {
            let released = try store.release(eventIDs: ids)
            logger.info("stopping: returned claimed events not yet started to the queue", metadata: ["events.released": String(released)])
        } catch {
            logger.error("stopping: could not return claimed events to the queue; the next start takes them back", metadata: [
                "error.message": String(describing: error), "events.count": String(ids.count),
            ])
        }
    }

    /// Whether a stop is under way and its deadline has passed.
    private var stopDeadlinePassed: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard state != .running, let stopDeadline else { return false }
        return ContinuousClock.now >= stopDeadline
    }

    /// Sleeps `seconds`, or less when a stop begins or its deadline comes first.
    private func pause(seconds: TimeInterval) {
        condition.lock()
        defer { condition.unlock() }
        var until = Date(timeIntervalSinceNow: seconds)
        if state != .running, let stopDeadline {
            until = min(until, Date(timeIntervalSinceNow: Self.seconds(stopDeadline - .now)))
        }
        _ = condition.wait(until: until)
    }

    /// A duration in seconds (negative durations as 0).
    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return max(0, Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Sleeps until woken by `wake()` or `stop()`, or until `seconds` pass.
    private func sleep(seconds: TimeInterval) {
        condition.lock()
        defer { condition.unlock() }
        if wakeups == 0, state == .running {
            _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
        }
        wakeups = 0
    }

    /// Runs the handlers for one claimed event and returns the outcome to record. A handler is tried up
    /// to its own `max_attempts` (else the global policy's); the event is retried while a failed handler
    /// has attempts left, and is a dead letter once none has.
    func process(_ item: WorkItem) -> EventOutcome {
        let record = item.event
        let metadata: Logger.Metadata = ["event.id": record.id, "event.type": record.type, "event.attempt": String(item.attempt)]
        let event: StripeEvent
        do {
            // The receive-time decoding of these very bytes, when kept; else decoded from the store.
            event = try decodedEvents.take(record.id, body: record.body) ?? StripeEvent.decode(from: record.body, style: nil)
        } catch {
            // It decoded when it was received; a body that no longer does is corrupt storage.
            return outcome(record.id, runs: [], failure: "stored body no longer decodes: \(error)", attempt: item.attempt, final: true, retry: RetryPolicy(), metadata: metadata)
        }
        let runtime = self.runtime.withLock { $0 }
        let handlers = runtime.router.handlers(for: event.type)
        if handlers.isEmpty {
            logger.info("Unhandled event type: \(record.type)", metadata: metadata)
            return outcome(record.id, runs: [], failure: nil, attempt: item.attempt, final: false, retry: runtime.retry, metadata: metadata)
        }
        var runs: [HandlerRun] = []
        var failures: [String] = []
        var retryable = false
        // The back-off follows the most-tried handler that failed this time.
        var failedAttempt = 0
        for handler in handlers where !item.succeededHandlers.contains(handler.name) {
            let limit = (handler as? ConfiguredHandler)?.maxAttempts ?? runtime.retry.maxAttempts
            // A handler's attempt counts its recorded runs, not the event's claims: a claim that ran
            // nothing (the daemon died first) or that ran only other handlers is not its attempt.
            let attempt = item.attempt(of: handler.name)
            guard attempt <= limit else {
                // Out of attempts while another handler keeps the event going: not run again.
                failures.append("\(handler.name): gave up after \(limit) attempts")
                continue
            }
            guard item.attempt <= limit * Self.claimsPerAttempt else {
                // Claimed again and again without a run recorded: the daemon dies while it runs.
                failures.append("\(handler.name): gave up after the event was claimed \(item.attempt) times with \(attempt - 1) runs recorded")
                continue
            }
            let context = EventHandlerContext(attempt: attempt, body: record.body, newerEventID: item.newerHandledEventID)
            if let skipped = Self.staleSkip(handler, context: context, metadata: metadata, logger: logger) {
                runs.append(skipped)
                continue
            }
            let run = Self.noteStale(self.run(handler, event: event, record: record, context: context, metadata: metadata), context: context)
            runs.append(run)
            if !run.succeeded {
                failures.append("\(handler.name): \(run.error ?? "failed")")
                failedAttempt = max(failedAttempt, attempt)
                if attempt < limit { retryable = true }
            }
        }
        return outcome(record.id, runs: runs, failure: failures.isEmpty ? nil : failures.joined(separator: "; "),
                       attempt: max(failedAttempt, 1), final: !retryable, retry: runtime.retry, metadata: metadata)
    }

    /// Runs one handler once, honouring its dedupe key, and returns the run to record.
    private func run(_ handler: any EventHandler, event: StripeEvent, record: EventRecord, context: EventHandlerContext, metadata: Logger.Metadata) -> HandlerRun {
        var metadata = metadata
        metadata["handler"] = handler.name
        metadata["handler.attempt"] = String(context.attempt)
        let started = Self.nowMillis()
        var run = HandlerRun(handler: handler.name, attempt: context.attempt, startedAt: started, finishedAt: nil, succeeded: false, error: nil, output: nil)
        if let configured = handler as? ConfiguredHandler, let dedupeKey = configured.dedupeKey {
            switch dedupeKey.lookup(event, body: record.body) {
            case .notDeduplicated:
                break
            case .missing(let path):
                logger.notice("no dedupe key value at \(path); running the handler without dedupe", metadata: metadata)
            case .key(let key):
                // The claim waits for a store commit: the lines held so far go out first.
                LogSink.writeHeldLines()
                let holder: String
                do {
                    holder = try store.claimHandlerKey(handler: handler.name, key: key, eventID: record.id, now: started)
                } catch {
                    run.error = "could not claim dedupe key \(key): \(error)"
                    run.finishedAt = Self.nowMillis()
                    logger.warning("handler failed", metadata: metadata.merging(["error.message": run.error ?? ""]) { $1 })
                    return run
                }
                if holder != record.id {
                    run.succeeded = true
                    run.output = "skipped: dedupe key \(key) belongs to \(holder), which runs this handler for it"
                    run.finishedAt = Self.nowMillis()
                    logger.info("handler skipped: same dedupe key as an earlier event", metadata: metadata.merging(["dedupe.key": key, "dedupe.event_id": holder]) { $1 })
                    return run
                }
            }
        }
        // A program's stderr and stdout, bounded, for the run's log line.
        var excerpts: Logger.Metadata = [:]
        if let reporting = handler as? any ReportingEventHandler {
            // A program or a forward blocks for as long as it takes: the lines held so far go out first.
            LogSink.writeHeldLines()
            let report = reporting.run(event, context: context)
            run.succeeded = report.failure == nil
            run.error = report.failure
            run.output = report.output
            excerpts = report.logExcerpts
        } else {
            do {
                try handler.handle(event, context: context)
                run.succeeded = true
            } catch {
                run.error = String(describing: error)
            }
        }
        run.finishedAt = Self.nowMillis()
        metrics?.handlerRan(handler.name, succeeded: run.succeeded, milliseconds: (run.finishedAt ?? started) - started)
        let took = String((run.finishedAt ?? started) - started)
        if run.succeeded {
            if handler is any ReportingEventHandler { logger.info("handler succeeded", metadata: metadata.merging(["duration_ms": took]) { $1 }) }
            if !excerpts.isEmpty { logger.debug("handler output", metadata: metadata.merging(excerpts) { $1 }) }
        } else {
            logger.warning("handler failed", metadata: metadata.merging(["error.message": run.error ?? "", "duration_ms": took]) { $1 }.merging(excerpts) { $1 })
        }
        return run
    }

    /// Done, retry-later (with back-off) or failed, logged as it is decided.
    private func outcome(_ id: String, runs: [HandlerRun], failure: String?, attempt: Int, final: Bool, retry: RetryPolicy, metadata: Logger.Metadata) -> EventOutcome {
        let now = Self.nowMillis()
        guard let failure else { return EventOutcome(eventID: id, runs: runs, ending: .done, now: now) }
        if final {
            metrics?.deadLettered()
            logger.error("event failed after \(attempt) attempts; it is a dead letter until replayed", metadata: metadata)
            return EventOutcome(eventID: id, runs: runs, ending: .failed(error: failure), now: now)
        }
        let delay = retry.delay(afterAttempt: attempt)
        metrics?.retryScheduled()
        logger.notice("event will be retried", metadata: metadata.merging(["retry.in_ms": String(delay)]) { $1 })
        return EventOutcome(eventID: id, runs: runs, ending: .retry(at: now + delay, error: failure), now: now)
    }

    /// Unix time in milliseconds.
    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
