import EventStore
import Foundation
import WebhookSupport

/// What `/readyz` checks: the store's file is still the one it opened (`store_replaced`); the latest
/// insert committed and a probe write taking the insert path commits within the timeout
/// (`store_unwritable`); every worker thread runs; a fresh store summary comes within the timeout
/// (`store_unreadable`) and no event in it has waited for its handlers longer than the threshold
/// (`backlog_too_old`). Answers within `store_check_timeout_seconds` however the disk behaves: the
/// probe and the summary run on threads of their own, and concurrent checks share the probe in
/// flight instead of queueing behind it. Blocking for up to the timeout: call it from the admin
/// queue, never an event loop.
final class ReadinessCheck: @unchecked Sendable {
    // @unchecked: `probeStartedAt`, `probesFinished` and `lastProbe` are guarded by `condition`.
    /// The store probed.
    private let store: any EventStore
    /// Whose workers are counted.
    private let dispatcher: EventDispatcher
    /// The background summary reader (backlog age).
    private let snapshot: StoreSnapshot
    /// Runs the store probe, so that a probe stuck on a lock never holds up the answer.
    private let probes = DispatchQueue(label: "webhookd-readiness-probe")
    private let condition = NSCondition()
    /// When the probe now running started; nil when none runs.
    private var probeStartedAt: ContinuousClock.Instant?
    /// Probes finished so far.
    private var probesFinished = 0
    /// The last finished probe's error, if it failed.
    private var lastProbe: EventStoreError?
    /// Reports Stripe webhook endpoints that Stripe disabled, when the daemon watches any.
    private let stripe: StripeMonitor?

    /// Checks `store`, `dispatcher` and, when given, the watched Stripe endpoints, reading summaries
    /// through `snapshot` (a started one of its own when `nil`).
    init(store: any EventStore, dispatcher: EventDispatcher, snapshot: StoreSnapshot? = nil, stripe: StripeMonitor? = nil) {
        self.store = store
        self.dispatcher = dispatcher
        self.stripe = stripe
        if let snapshot {
            self.snapshot = snapshot
        } else {
            let own = StoreSnapshot(store: store)
            own.start()
            self.snapshot = own
        }
    }

    /// One check's findings: an empty `failures` means ready.
    struct Report {
        /// `name: explanation` for each failed check.
        var failures: [String] = []
        /// Age of the oldest pending event in seconds, when one is pending.
        var oldestPendingAgeSeconds: Double?
    }

    /// Runs every check against `settings`.
    func run(_ settings: DaemonConfiguration.Readiness) -> Report {
        var report = Report()
        let started = ContinuousClock.now
        let deadline = Date(timeIntervalSinceNow: settings.storeCheckTimeoutSeconds)
        let (running, expected) = dispatcher.workerCounts
        if let replaced = store.health.replaced {
            // Nothing else about this store matters until the restart: its file is gone.
            report.failures.append("store_replaced: \(replaced)")
            if running < expected { report.failures.append("dispatcher_stopped: \(running) of \(expected) workers running") }
            return report
        }
        let awaitedSummary = snapshot.requestRefresh()
        if let problem = probeStore(until: deadline) {
            report.failures.append("store_unwritable: \(problem)")
        } else if let failure = store.health.insertFailure {
            // The probe committed, yet the latest delivery batch since it failed: deliveries get 503.
            report.failures.append("store_unwritable: the latest insert failed: \(failure)")
        }
        if let replaced = store.health.replaced {
            // The probe's commit found the file gone: that, not its symptom, is the reason.
            report.failures = ["store_replaced: \(replaced)"]
        }
        if running < expected {
            report.failures.append("dispatcher_stopped: \(running) of \(expected) workers running")
        }
        guard let reading = snapshot.wait(for: awaitedSummary, until: deadline) else {
            report.failures.append("store_unreadable: reading the store's summary has taken over \(Logger.milliseconds(ContinuousClock.now - started)) ms (disk stalled?)")
            return report
        }
        switch reading.summary {
        case .success(let summary):
            if let oldest = summary.oldestPendingReceivedAt {
                let age = max(0, Double(EventDispatcher.nowMillis() - oldest) / 1000)
                report.oldestPendingAgeSeconds = age
                if age > Double(settings.maxPendingAgeSeconds) {
                    report.failures.append("backlog_too_old: the oldest pending event has waited \(Int(age)) s for its handlers (limit \(settings.maxPendingAgeSeconds) s); see `events list --status pending`")
                }
            }
        case .failure(let error):
            report.failures.append("store_unreadable: \(error.message)")
        }
        report.failures += stripe?.readinessFailures ?? []
        return report
    }

    /// Starts a write probe unless one is running, and waits until `deadline` for the next probe to
    /// finish; returns its failure, or why none finished in time.
    private func probeStore(until deadline: Date) -> String? {
        condition.lock()
        defer { condition.unlock() }
        let awaited = probesFinished + 1
        if probeStartedAt == nil {
            probeStartedAt = .now
            probes.async { [self] in
                var failure: EventStoreError?
                do throws(EventStoreError) { try store.checkWritable() } catch { failure = error }
                condition.lock()
                lastProbe = failure
                probesFinished += 1
                probeStartedAt = nil
                condition.broadcast()
                condition.unlock()
            }
        }
        while probesFinished < awaited {
            if !condition.wait(until: deadline) { break }
        }
        if probesFinished >= awaited { return lastProbe?.message }
        let waited = probeStartedAt.map { ContinuousClock.now - $0 } ?? .zero
        return "a write transaction has waited \(Logger.milliseconds(waited)) ms to commit (database locked, disk stalled?)"
    }
}
