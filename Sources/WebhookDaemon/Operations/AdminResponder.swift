import EventStore
import Foundation
import HTTP1
import StripeWebhooks
import WebhookSupport

/// `/healthz`, `/readyz` and `/metrics`, on the admin listener or, without one, beside the webhook
/// endpoints. Answers off the event loop on a queue of its own (readiness writes to the store and
/// metrics read from it).
final class AdminResponder: HTTPResponder {
    /// The paths it serves.
    static let paths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    private let metrics: DaemonMetrics
    private let readiness: ReadinessCheck
    private let store: any EventStore
    private let runtime: LockedValue<DaemonRuntime>
    private let logger: Logger
    private let queue = DispatchQueue(label: "webhookd-admin")
    /// The events console and its credentials: only on the admin listener, `nil` beside the webhooks.
    private let console: ConsoleResponder?

    /// Serves `metrics` and checks readiness with `readiness` against the current runtime's settings.
    init(metrics: DaemonMetrics, readiness: ReadinessCheck, store: any EventStore, runtime: LockedValue<DaemonRuntime>, logger: Logger,
         console: ConsoleResponder? = nil) {
        self.console = console
        self.metrics = metrics
        self.readiness = readiness
        self.store = store
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
        queue.async { [self] in
            completion(request.path == "/metrics" ? renderMetrics() : checkReadiness(context))
        }
    }

    private func renderMetrics() -> HTTPResponse {
        metrics.update(from: Result { () throws(EventStoreError) in try store.summary() }, nowMillis: EventDispatcher.nowMillis())
        var response = HTTPResponse(status: .ok, body: Array(metrics.registry.render().utf8))
        response.headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

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
