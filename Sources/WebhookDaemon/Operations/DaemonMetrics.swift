import EventStore
import Foundation
import HTTP1
import WebhookSupport

/// Every metric the daemon exports, named once here, in the Prometheus text format at `/metrics`.
/// The HTTP server and the store's writer report through their observer protocols, so responses the
/// application never sees (protocol errors, refusals) and every commit are counted too.
final class DaemonMetrics: HTTPServerObserver, EventStoreObserver {
    /// The registry `/metrics` renders.
    let registry = MetricsRegistry()
    /// Counters for the statuses this daemon answers, made up front (the hot path only reads).
    private let requestsByStatus: [Int: Counter]
    private let requestDuration: Histogram
    private let commitDuration: Histogram
    private let commitFailures: Counter
    private let duplicates: Counter
    private let storeRefusals: Counter
    private let deadLetters: Counter
    private let retries: Counter
    private let pending: Gauge
    private let claimed: Gauge
    /// When the oldest pending event was received (Unix ms) in the latest store reading; the age
    /// gauge is computed from it at each scrape.
    private let oldestPendingReceivedAt = LockedValue<Int64?>(nil)
    private let eventsByStatus: [EventStatus: Gauge]
    private let summaryErrors: Counter
    private let requestsByOtherStatus: LabeledSeries<Int, Counter>
    private let protocolErrors: LabeledSeries<String, Counter>
    private let rejections: LabeledSeries<String, Counter>
    private let signatureFailures: LabeledSeries<String, Counter>
    private let received: LabeledSeries<ReceivedKey, Counter>
    private let verified: LabeledSeries<String, Counter>
    private let handlerRuns: LabeledSeries<HandlerKey, Counter>
    private let handlerDurations: LabeledSeries<String, Histogram>

    private struct ReceivedKey: Hashable, Sendable {
        let type: String
        let livemode: Bool
    }

    private struct HandlerKey: Hashable, Sendable {
        let handler: String
        let succeeded: Bool
    }

    static let prefix = "stripe_webhookd_"

    /// Registers every family so that `/metrics` lists them from the start, with zero counts.
    init(version: String) {
        let p = Self.prefix
        let registry = self.registry
        var byStatus: [Int: Counter] = [:]
        for code in [200, 400, 403, 404, 405, 408, 413, 414, 431, 500, 501, 503, 505] {
            byStatus[code] = registry.counter(p + "http_requests_total", help: "HTTP responses by status code, the server's own (protocol errors, refusals) included.", labels: [("status", String(code))])
        }
        requestsByStatus = byStatus
        requestsByOtherStatus = LabeledSeries { registry.counter(p + "http_requests_total", help: "", labels: [("status", String($0))]) }
        protocolErrors = LabeledSeries { registry.counter(p + "http_protocol_errors_total", help: "", labels: [("reason", $0)]) }
        rejections = LabeledSeries { registry.counter(p + "webhook_rejections_total", help: "", labels: [("reason", $0)]) }
        signatureFailures = LabeledSeries { registry.counter(p + "signature_failures_total", help: "", labels: [("reason", $0)]) }
        received = LabeledSeries {
            registry.counter(p + "events_received_total", help: "", labels: [("type", $0.type), ("livemode", $0.livemode ? "true" : "false")])
        }
        verified = LabeledSeries { registry.counter(p + "events_verified_total", help: "", labels: [("secret", $0)]) }
        handlerRuns = LabeledSeries {
            registry.counter(p + "handler_runs_total", help: "", labels: [("handler", $0.handler), ("result", $0.succeeded ? "success" : "failure")])
        }
        handlerDurations = LabeledSeries { registry.histogram(p + "handler_duration_seconds", help: "", labels: [("handler", $0)]) }
        requestDuration = registry.histogram(p + "http_request_duration_seconds", help: "From a request's last byte to its response being queued (store commit included).")
        registry.describe(p + "http_protocol_errors_total", help: "Requests the HTTP server answered itself, by reason.", kind: .counter)
        registry.describe(p + "signature_failures_total", help: "Webhooks whose Stripe-Signature did not verify, by reason.", kind: .counter)
        registry.describe(p + "webhook_rejections_total", help: "Webhook requests refused before storing, by reason (signature, event, path, method, source).", kind: .counter)
        registry.describe(p + "events_received_total", help: "Events newly stored, by type and livemode.", kind: .counter)
        registry.describe(p + "events_verified_total", help: "Events stored, by the label of the secret that verified them (follow a secret roll here).", kind: .counter)
        duplicates = registry.counter(p + "events_duplicate_total", help: "Deliveries of an event id already stored: answered 200, not dispatched again.")
        storeRefusals = registry.counter(p + "events_store_refused_total", help: "Events answered 503 because the store could not take them (Stripe retries).")
        registry.describe(p + "handler_runs_total", help: "Handler runs by handler and result (success, failure).", kind: .counter)
        registry.describe(p + "handler_duration_seconds", help: "How long handler runs took, by handler.", kind: .histogram)
        retries = registry.counter(p + "event_retries_total", help: "Events put back to wait for a retry after a handler failed.")
        deadLetters = registry.counter(p + "dead_letters_total", help: "Events given up on (status failed) since start; see `events list --status failed`.")
        commitDuration = registry.histogram(p + "store_commit_duration_seconds", help: "Store write transactions from BEGIN to COMMIT or ROLLBACK (one per group commit).")
        commitFailures = registry.counter(p + "store_commit_failures_total", help: "Store write transactions rolled back (every caller in them got an error).")
        pending = registry.gauge(p + "pending_events", help: "Events waiting for their handlers (due, in back-off or running).")
        claimed = registry.gauge(p + "claimed_events", help: "Pending events a worker holds right now.")
        registry.computedGauge(p + "oldest_pending_event_age_seconds", help: "Age of the oldest event still waiting for its handlers; 0 when none waits.") { [oldestPendingReceivedAt] in
            oldestPendingReceivedAt.withLock { $0 }.map { max(0, Double(EventDispatcher.nowMillis() - $0) / 1000) } ?? 0
        }
        var byEventStatus: [EventStatus: Gauge] = [:]
        for status in EventStatus.allCases {
            byEventStatus[status] = registry.gauge(p + "stored_events", help: "Events in the store by status.", labels: [("status", status.rawValue)])
        }
        eventsByStatus = byEventStatus
        summaryErrors = registry.counter(p + "store_summary_errors_total", help: "Background reads of the store gauges that failed (the gauges keep their last values).")
        registry.gauge(p + "build_info", help: "Always 1; the labels tell the version.", labels: [("version", version)]).set(1)
        registry.gauge(p + "start_time_seconds", help: "When the daemon started, Unix time.").set(Date().timeIntervalSince1970.rounded())
    }

    // MARK: HTTP

    func responded(status: Int, duration: Duration, protocolError: String?) {
        (requestsByStatus[status] ?? requestsByOtherStatus[status]).increment()
        if let protocolError {
            protocolErrors[protocolError].increment()
        } else {
            requestDuration.observe(Self.seconds(duration))
        }
    }

    /// Gauge of open connections on the webhook listener, read at each scrape.
    func watchConnections(_ read: @escaping @Sendable () -> Int) {
        registry.computedGauge(Self.prefix + "open_connections", help: "Open connections on the webhook listener.") { Double(read()) }
    }

    // MARK: Webhooks

    /// A webhook refused before storing.
    func rejected(_ rejection: WebhookRejection) {
        rejections[rejection.reason].increment()
        if case .signature(let error) = rejection { signatureFailures[error.reason.rawValue].increment() }
        if case .storeUnavailable = rejection { storeRefusals.increment() }
    }

    /// A new event committed.
    func stored(_ record: EventRecord) {
        received[ReceivedKey(type: record.type, livemode: record.livemode)].increment()
        verified[record.verifiedBy ?? "-"].increment()
    }

    /// An event id delivered again.
    func duplicate() { duplicates.increment() }

    // MARK: Handlers

    /// One handler run ended.
    func handlerRan(_ handler: String, succeeded: Bool, milliseconds: Int64) {
        handlerRuns[HandlerKey(handler: handler, succeeded: succeeded)].increment()
        handlerDurations[handler].observe(Double(milliseconds) / 1000)
    }

    /// An event was put back for a retry.
    func retryScheduled() { retries.increment() }

    /// An event became a dead letter.
    func deadLettered() { deadLetters.increment() }

    // MARK: Store

    func batchEnded(size: Int, duration: Duration, succeeded: Bool) {
        commitDuration.observe(Self.seconds(duration))
        if !succeeded { commitFailures.increment() }
    }

    /// Sets the store gauges from a summary read in the background (`StoreSnapshot`); on an error
    /// they keep their last values and the error is counted.
    func update(from summary: Result<EventStoreSummary, EventStoreError>) {
        guard case .success(let summary) = summary else {
            summaryErrors.increment()
            return
        }
        pending.set(Double(summary.pending))
        claimed.set(Double(summary.claimed))
        oldestPendingReceivedAt.withLock { $0 = summary.oldestPendingReceivedAt }
        for (status, gauge) in eventsByStatus { gauge.set(Double(summary.counts[status] ?? 0)) }
    }

    /// Exports how old the latest store reading is, so that a stalled store shows on a dashboard
    /// while `/metrics` itself keeps answering.
    func watchSnapshot(_ snapshot: StoreSnapshot) {
        let started = ContinuousClock.now
        registry.computedGauge(Self.prefix + "store_snapshot_age_seconds", help: "Seconds since the store gauges were last read from the store (refreshed every 5 s and at each scrape, in the background); grows while the store stalls.") {
            Self.seconds(ContinuousClock.now - (snapshot.current?.finishedAt ?? started))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
