import EventStore
import Foundation
import StripeAPI
import WebhookSupport

/// The daemon's Stripe API duties, on a thread of its own: the automatic catch-up (`stripe.catch_up`)
/// at start-up and every interval, and the endpoint watchdog (every `webhook_endpoint_id`, every
/// `stripe.endpoint_check_interval_seconds`). Failures are logged and retried at the next interval;
/// nothing here stops the daemon. Reads the configuration anew each round, so a reload applies.
final class StripeMonitor: @unchecked Sendable {
    // @unchecked: mutable state (`state`, `endpoints`, `wake`, `lastCoverage`) is guarded by `condition`.
    private let runtime: LockedValue<DaemonRuntime>
    private let environment: [String: String]
    private let store: any EventStore
    private let logger: Logger
    /// `stripe_webhookd_stripe_endpoint_enabled{endpoint, webhook_endpoint_id}`: 1 enabled, 0 disabled.
    private let enabledGauges: LabeledSeries<DaemonConfiguration.WatchedEndpoint, Gauge>
    /// `stripe_webhookd_catch_up_events_stored_total`: events the automatic catch-up stored (deliveries missed them).
    private let caughtUp: Counter
    /// `stripe_webhookd_stripe_api_failures_total`: catch-ups and endpoint checks that failed.
    private let apiFailures: Counter
    private let condition = NSCondition()
    private enum State { case idle, running, stopping, stopped }
    private var state = State.idle
    /// Set to run every duty now (start-up, reload).
    private var wake = true
    /// The last known Stripe state of each watched endpoint, by path.
    private var endpoints: [String: WebhookEndpointState] = [:]
    /// The unreachable-handler report last logged, to log changes only (and on start and reload).
    private var lastCoverage: [String]?
    private var nextCatchUp = Date.distantPast
    private var nextCheck = Date.distantPast

    /// Creates a monitor; `start` begins its thread.
    /// - Parameters:
    ///   - runtime: the daemon's current runtime (its configuration is read each round).
    ///   - environment: for resolving `stripe.api_key`.
    ///   - store: where caught-up events go.
    ///   - registry: where the endpoint gauge is registered.
    ///   - logger: the daemon's logger.
    init(runtime: LockedValue<DaemonRuntime>, environment: [String: String], store: any EventStore, registry: MetricsRegistry, logger: Logger) {
        self.runtime = runtime
        self.environment = environment
        self.store = store
        var logger = logger
        logger[metadataKey: "component"] = "stripe-api"
        self.logger = logger
        caughtUp = registry.counter(DaemonMetrics.prefix + "catch_up_events_stored_total", help: "Events the automatic catch-up stored because no delivery brought them.")
        apiFailures = registry.counter(DaemonMetrics.prefix + "stripe_api_failures_total", help: "Catch-ups and endpoint checks that failed (logged; retried at the next interval).")
        enabledGauges = LabeledSeries { watched in
            registry.gauge(DaemonMetrics.prefix + "stripe_endpoint_enabled", help: "1 while Stripe reports the webhook endpoint enabled, 0 when it is disabled.",
                           labels: [("endpoint", watched.path), ("webhook_endpoint_id", watched.id)])
        }
    }

    /// Starts the thread, which runs every duty at once.
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard state == .idle else { return }
        state = .running
        let thread = Thread { [self] in loop() }
        thread.name = "webhookd-stripe-api"
        thread.start()
    }

    /// Runs every duty now: after a reload, so that its changes are checked and reported.
    func reloaded() {
        condition.lock()
        wake = true
        lastCoverage = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread, waiting for a round in progress (its API calls time out) at most `timeout` seconds.
    func stop(timeout: Double = 5) {
        condition.lock()
        defer { condition.unlock() }
        guard state == .running else { state = .stopped; return }
        state = .stopping
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while state != .stopped, condition.wait(until: deadline) {}
    }

    /// The `/readyz` failures: one per watched endpoint Stripe reports disabled.
    var readinessFailures: [String] {
        condition.lock()
        defer { condition.unlock() }
        return endpoints.keys.sorted().compactMap { path in
            guard let endpoint = endpoints[path], !endpoint.isEnabled else { return nil }
            return "stripe_endpoint_disabled: Stripe disabled the webhook endpoint \(endpoint.id) of \(path); re-enable it in the Dashboard and run `events backfill`"
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while state == .running, !wake, Date() < min(nextCatchUp, nextCheck) {
                _ = condition.wait(until: min(nextCatchUp, nextCheck, Date(timeIntervalSinceNow: 60)))
            }
            if state != .running {
                state = .stopped
                condition.broadcast()
                condition.unlock()
                return
            }
            let forced = wake
            wake = false
            condition.unlock()
            round(forced: forced)
        }
    }

    /// One round: whichever duties are due (all of them when `forced`).
    private func round(forced: Bool) {
        let configuration = runtime.withLock { $0.configuration }
        let stripe = configuration.stripe
        let now = Date()
        guard stripe.apiKey != nil else {
            nextCatchUp = .distantFuture
            nextCheck = .distantFuture
            return
        }
        let client: StripeAPIClient
        do {
            client = StripeAPIClient(options: try stripe.apiOptions(environment: environment))
        } catch {
            logger.error("cannot call Stripe's API; catch-up and endpoint checks are off until this is fixed", metadata: ["error.message": error.message])
            nextCatchUp = now.addingTimeInterval(Double(stripe.catchUp?.intervalSeconds ?? 300))
            nextCheck = now.addingTimeInterval(Double(stripe.endpointCheckIntervalSeconds))
            return
        }
        if !configuration.watchedEndpoints.isEmpty, forced || now >= nextCheck {
            checkEndpoints(configuration, client: client)
            nextCheck = Date().addingTimeInterval(Double(stripe.endpointCheckIntervalSeconds))
        } else if configuration.watchedEndpoints.isEmpty {
            nextCheck = .distantFuture
        }
        if let catchUp = stripe.catchUp, forced || now >= nextCatchUp {
            runCatchUp(catchUp, client: client)
            nextCatchUp = Date().addingTimeInterval(Double(catchUp.intervalSeconds))
        } else if stripe.catchUp == nil {
            nextCatchUp = .distantFuture
        }
    }

    /// Lists the Events API over the look-back window and stores what is missing.
    private func runCatchUp(_ settings: StripeConfiguration.CatchUp, client: StripeAPIClient) {
        let lookBack = TimeExpression.duration(settings.lookBack) ?? 0
        let now = EventDispatcher.nowMillis()
        let since = (now - lookBack) / 1000
        let catchUp = EventCatchUp(client: client)
        do {
            let events = try catchUp.fetch(since: since, pattern: nil)
            let report = try catchUp.store(events, into: store, dryRun: false, now: now)
            caughtUp.increment(by: Int64(report.stored))
            let metadata: Logger.Metadata = [
                "catch_up.fetched": String(report.fetched), "catch_up.stored": String(report.stored),
                "catch_up.skipped": String(report.skipped), "catch_up.since": TimeExpression.iso(since * 1000),
            ]
            if report.stored > 0 {
                logger.warning("catch-up stored events that deliveries missed; their handlers run now", metadata: metadata)
            } else {
                logger.info("catch-up found nothing missing", metadata: metadata)
            }
        } catch let error as StripeAPIError {
            apiFailures.increment()
            logger.error("catch-up failed; retrying at the next interval", metadata: ["error.message": error.message, "retry_in_seconds": String(settings.intervalSeconds)])
        } catch {
            apiFailures.increment()
            logger.error("catch-up could not store events; retrying at the next interval", metadata: ["error.message": "\(error)"])
        }
    }

    /// Fetches every watched endpoint, updates the gauge and readiness, logs what changed, and
    /// reports handlers that no endpoint's `enabled_events` can reach.
    private func checkEndpoints(_ configuration: DaemonConfiguration, client: StripeAPIClient) {
        var fetched: [String: WebhookEndpointState] = [:]
        for watched in configuration.watchedEndpoints {
            let state: WebhookEndpointState
            do {
                state = try client.webhookEndpoint(id: watched.id)
            } catch {
                // Unknown is not disabled: readiness keeps the last known state.
                apiFailures.increment()
                logger.warning("could not check the Stripe webhook endpoint; trying again at the next interval", metadata: [
                    "endpoint": watched.path, "webhook_endpoint.id": watched.id, "error.message": error.message,
                ])
                continue
            }
            fetched[watched.path] = state
            enabledGauges[watched].set(state.isEnabled ? 1 : 0)
            if !client.options.keyMode.matches(livemode: state.livemode) {
                logger.error("stripe.api_key is a \(client.options.keyMode.rawValue) mode key but webhook endpoint \(watched.id) is a \(state.livemode ? "live" : "test") mode endpoint; catch-up would fetch the wrong mode's events", metadata: ["endpoint": watched.path])
            }
            condition.lock()
            let previous = endpoints[watched.path]
            endpoints[watched.path] = state
            condition.unlock()
            if !state.isEnabled {
                logger.error("Stripe has disabled the webhook endpoint: it delivers nothing until re-enabled. Re-enable it in the Dashboard (Developers → Webhooks), check its failed deliveries there, then run `stripe-webhookd events backfill --since` the time it was down", metadata: [
                    "endpoint": watched.path, "webhook_endpoint.id": watched.id, "webhook_endpoint.status": state.status,
                ])
            } else if previous.map({ !$0.isEnabled }) ?? false {
                logger.notice("Stripe webhook endpoint enabled again", metadata: ["endpoint": watched.path, "webhook_endpoint.id": watched.id])
            }
        }
        // Coverage is known only when every served endpoint is watched and was fetched.
        let served = configuration.effectiveEndpoints.count
        guard fetched.count == configuration.watchedEndpoints.count, fetched.count == served else { return }
        let enabled = Set(fetched.values.flatMap(\.enabledEvents))
        let unreachable = HandlerCoverage.unreachable(configuration.handlers, enabledEvents: enabled)
        let names = unreachable.map(\.name)
        condition.lock()
        let changed = lastCoverage != names
        lastCoverage = names
        condition.unlock()
        guard changed else { return }
        let ids = configuration.watchedEndpoints.map(\.id)
        for handler in unreachable {
            logger.warning(HandlerCoverage.message(for: handler, endpoints: ids), metadata: ["handler": handler.name])
        }
    }
}
