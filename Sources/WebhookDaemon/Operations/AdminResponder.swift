import EventStore
import Foundation
import HTTP1
import StripeWebhooks
import WebhookSupport

/// `/healthz`, `/readyz` and `/metrics`, on the admin listener or, without one, beside the webhook
/// endpoints, off the event loops. A readiness check waits (at most its timeout) for a store write,
/// on a thread of its own, so that concurrent checks never queue behind each other (a Dispatch queue
/// would run only as many blocked checks at once as there are cores); metrics never touch the store
/// (its gauges come from `StoreSnapshot`) and render on a queue of their own that never blocks.
final class AdminResponder: HTTPResponder {
    /// The paths it serves.
    static let paths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    private let metrics: DaemonMetrics
    private let readiness: ReadinessCheck
    /// Read in the background; a scrape asks for a fresh reading for the next one.
    private let snapshot: StoreSnapshot
    private let runtime: LockedValue<DaemonRuntime>
    private let logger: Logger
    /// Renders `/metrics`; nothing on it waits for the store.
    private let metricsQueue = DispatchQueue(label: "webhookd-metrics")
    /// Readiness checks running now, each on its own thread.
    private let checksInFlight = LockedValue(0)
    /// Most readiness checks waiting at once; beyond it `/readyz` answers 503 `readiness_busy` at once
    /// instead of starting another thread. Default 32.
    static let maxConcurrentReadinessChecks = 32

    /// The events console and its credentials: only on the admin listener, `nil` beside the webhooks.
    private let console: ConsoleResponder?

    /// Serves `metrics` and checks readiness with `readiness` against the current runtime's settings.
    /// - Parameters:
    ///   - metrics: what `/metrics` renders.
    ///   - readiness: what `/readyz` runs.
    ///   - snapshot: the store gauges' background reader.
    ///   - runtime: the current settings.
    ///   - logger: where failed readiness checks are logged.
    ///   - console: the events console, on the admin listener only.
    init(metrics: DaemonMetrics, readiness: ReadinessCheck, snapshot: StoreSnapshot, runtime: LockedValue<DaemonRuntime>, logger: Logger,
         console: ConsoleResponder? = nil) {
        self.console = console
        self.metrics = metrics
        self.readiness = readiness
        self.snapshot = snapshot
        self.runtime = runtime
        self.logger = logger
    }

    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        guard Self.paths.contains(request.path) else {
            guard let console else {
                completion(WebhookRejection.notFound.response)
                return
            }
            console.respond(to: request, context: context, completion: completion)
            return
        }
        if let refusal = console?.refusal(forAdminPath: request) {
            completion(refusal.response)
            return
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            completion(WebhookRejection.readOnlyEndpoint.response)
            return
        }
        if request.path == "/healthz" {
            completion(.json(.ok, #"{"status":"ok"}"#))
            return
        }
        if request.path == "/metrics" {
            metricsQueue.async { [self] in completion(renderMetrics()) }
            return
        }
        let admitted = checksInFlight.withLock { running in
            guard running < Self.maxConcurrentReadinessChecks else { return false }
            running += 1
            return true
        }
        guard admitted else {
            let body = #"{"status":"not_ready","reasons":["readiness_busy: \#(Self.maxConcurrentReadinessChecks) readiness checks are already waiting for the store"]}"#
            completion(.json(.serviceUnavailable, body))
            return
        }
        let thread = Thread { [self] in
            let response = checkReadiness(context)
            checksInFlight.withLock { $0 -= 1 }
            completion(response)
        }
        thread.name = "webhookd-readiness"
        thread.start()
    }

    /// The registry in the Prometheus text format.
    private func renderMetrics() -> HTTPResponse {
        // The store gauges are the latest background reading; this scrape refreshes them for the next.
        _ = snapshot.requestRefresh()
        var response = HTTPResponse(status: .ok, body: Array(metrics.registry.render().utf8))
        response.headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    /// Runs the readiness check (blocking up to its timeout) and renders its report.
    private func checkReadiness(_ context: HTTPRequestContext) -> HTTPResponse {
        let settings = runtime.withLock { $0.configuration.readiness }
        let report = readiness.run(settings)
        var members: [(String, JSONValue)] = [("status", .string(report.failures.isEmpty ? "ready" : "not_ready"))]
        if !report.failures.isEmpty {
            members.append(("reasons", .array(report.failures.map { .string($0) })))
            logger.warning("not ready: \(report.failures.joined(separator: "; "))", metadata: ["request.id": context.requestID])
        }
        if let age = report.oldestPendingAgeSeconds { members.append(("oldest_pending_age_seconds", .double((age * 10).rounded() / 10))) }
        let body = JSONValue.object(JSONObject(members)).serialized()
        return .json(report.failures.isEmpty ? .ok : .serviceUnavailable, body)
    }
}
