import EventStore
import Foundation
import WebhookSupport

/// What `/readyz` checks: the store commits a write (a counter in `store_checks`) within the timeout, every worker thread runs, and
/// no event has waited for its handlers longer than the threshold. Blocking (a store write, a
/// read): call it from the admin queue, never an event loop.
final class ReadinessCheck: @unchecked Sendable {
    // @unchecked: `probeStartedAt`, `probesFinished` and `lastProbe` are guarded by `condition`.
    private let store: any EventStore
    private let dispatcher: EventDispatcher
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

    /// Checks `store`, `dispatcher` and, when given, the watched Stripe endpoints.
    init(store: any EventStore, dispatcher: EventDispatcher, stripe: StripeMonitor? = nil) {
        self.store = store
        self.dispatcher = dispatcher
        self.stripe = stripe
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
        if let problem = probeStore(timeout: settings.storeCheckTimeoutSeconds) {
            report.failures.append("store_unwritable: \(problem)")
        }
        let (running, expected) = dispatcher.workerCounts
        if running < expected {
            report.failures.append("dispatcher_stopped: \(running) of \(expected) workers running")
        }
        do {
            let summary = try store.summary()
            if let oldest = summary.oldestPendingReceivedAt {
                let age = max(0, Double(EventDispatcher.nowMillis() - oldest) / 1000)
                report.oldestPendingAgeSeconds = age
                if age > Double(settings.maxPendingAgeSeconds) {
                    report.failures.append("backlog_too_old: the oldest pending event has waited \(Int(age)) s for its handlers (limit \(settings.maxPendingAgeSeconds) s); see `events list --status pending`")
                }
            }
        } catch {
            report.failures.append("store_unreadable: \(error.message)")
        }
        report.failures += stripe?.readinessFailures ?? []
        return report
    }

    /// Starts a write probe unless one is running, and waits up to `timeout` seconds for the next
    /// probe to finish; returns its failure, or why none finished in time.
    private func probeStore(timeout: Double) -> String? {
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
        let deadline = Date(timeIntervalSinceNow: timeout)
        while probesFinished < awaited {
            if !condition.wait(until: deadline) { break }
        }
        if probesFinished >= awaited { return lastProbe?.message }
        let waited = probeStartedAt.map { ContinuousClock.now - $0 } ?? .zero
        return "a write transaction has waited \(Logger.milliseconds(waited)) ms to commit (database locked, disk stalled?)"
    }
}
