import EventStore
import Foundation
import HTTP1
import StripeWebhooks
import WebhookSupport

/// The webhook endpoints: verifies the signature on the raw body with the secrets of the endpoint the
/// request's path names, decodes the event, stores it and answers 200 only once the store has
/// committed it. Endpoints and secrets come from the current runtime, read once per request, so a
/// reload applies to the next request, even on an open keep-alive connection.
final class WebhookResponder: HTTPResponder {
    /// The current endpoints and handlers, swapped whole on reload.
    let runtime: LockedValue<DaemonRuntime>
    /// Where accepted events go before the 200.
    let store: any EventStore
    /// Told when a new event is stored, so a worker picks it up at once.
    let dispatcher: EventDispatcher
    /// Request and rejection logs.
    let logger: Logger
    /// Counts what is accepted and refused.
    let metrics: DaemonMetrics
    /// Serves `/healthz`, `/readyz` and `/metrics` here when there is no admin listener.
    let admin: AdminResponder?

    /// Creates the responder.
    init(runtime: LockedValue<DaemonRuntime>, store: any EventStore, dispatcher: EventDispatcher, logger: Logger, metrics: DaemonMetrics, admin: AdminResponder?) {
        self.runtime = runtime
        self.store = store
        self.dispatcher = dispatcher
        self.logger = logger
        self.metrics = metrics
        self.admin = admin
    }

    static let accepted = HTTPResponse.json(.ok, #"{"received":true}"#)
    static let duplicate = HTTPResponse.json(.ok, #"{"received":true,"duplicate":true}"#)

    /// Answers one request; never blocks the event loop (the store commits on its own thread).
    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        let runtime = self.runtime.withLock { $0 }
        if let admin, runtime.endpoints[request.path] == nil, AdminResponder.paths.contains(request.path) {
            admin.respond(to: request, context: context, completion: completion)
            return
        }
        let verdict = runtime.sourcePolicy.judge(request, context: context)
        let record: EventRecord
        let event: StripeEvent
        do {
            (record, event) = try accept(request, runtime: runtime, verdict: verdict)
        } catch {
            metrics.rejected(error)
            let response = error.response
            logger.log(level: error.logLevel, "webhook rejected: \(error.reason)", metadata: [
                "request.id": context.requestID, "client.ip": verdict.clientIP, "http.status": String(response.status.code),
                "duration_ms": Logger.milliseconds(.now - context.receivedAt), "error.message": error.message,
            ])
            completion(response)
            return
        }
        let logger = self.logger
        let dispatcher = self.dispatcher
        let metrics = self.metrics
        let path = request.path
        // Kept before the insert, so that it is there however soon a worker claims the committed
        // event. Thin bodies are decoded by their endpoint's style here and by the body's `object`
        // in the dispatcher: only snapshot decodings are the same by construction.
        if event.thin == nil { dispatcher.decodedEvents.put(event, body: record.body) }
        store.insert(record) { result in
            switch result {
            case .success(.stored):
                metrics.stored(record)
                // The label tells an operator rolling a secret which one Stripe still signs with.
                logger.info("event stored", metadata: [
                    "request.id": context.requestID, "event.id": record.id, "event.type": record.type,
                    "endpoint": path, "secret.label": record.verifiedBy ?? "-", "client.ip": verdict.clientIP,
                    "http.status": "200", "duration_ms": Logger.milliseconds(.now - context.receivedAt),
                ])
                // After the line is written: no handler's line comes before its "event stored".
                LogSink.afterHeldLines {
                    dispatcher.wake()
                    completion(Self.accepted)
                }
            case .success(.duplicate):
                metrics.duplicate()
                logger.info("duplicate event: already stored, not dispatched again", metadata: [
                    "request.id": context.requestID, "event.id": record.id, "event.type": record.type,
                    "client.ip": verdict.clientIP, "http.status": "200", "duration_ms": Logger.milliseconds(.now - context.receivedAt),
                ])
                LogSink.afterHeldLines { completion(Self.duplicate) }
            case .failure(let error):
                // Not stored: Stripe sends it again later, and it is kept again then.
                _ = dispatcher.decodedEvents.take(record.id, body: record.body)
                let rejection = WebhookRejection.storeUnavailable(error)
                metrics.rejected(rejection)
                logger.error("could not store event; answering 503 so Stripe retries", metadata: [
                    "request.id": context.requestID, "event.id": record.id, "event.type": record.type, "client.ip": verdict.clientIP,
                    "http.status": "503", "duration_ms": Logger.milliseconds(.now - context.receivedAt), "error.message": String(describing: error),
                ])
                LogSink.afterHeldLines { completion(rejection.response) }
            }
        }
    }

    /// Routes, checks the source, verifies and decodes; returns the record to store and the event it
    /// was decoded into, or throws the rejection that becomes the response.
    func accept(_ request: HTTPRequest, runtime: DaemonRuntime, verdict: SourcePolicy.Verdict) throws(WebhookRejection) -> (EventRecord, StripeEvent) {
        guard let endpoint = runtime.endpoints[request.path] else { throw .notFound }
        guard verdict.isAllowed else { throw .sourceNotAllowed(clientIP: verdict.clientIP) }
        guard request.method == "POST" else { throw .methodNotAllowed }
        let verified: VerifiedSignature
        do {
            verified = try endpoint.verifier.verify(payload: request.body, header: request.headers["Stripe-Signature"])
        } catch {
            throw .signature(error)
        }
        let event: StripeEvent
        do {
            event = try StripeEvent.decode(from: request.body, style: endpoint.payload)
        } catch {
            throw .event(error)
        }
        let record = EventRecord(
            id: event.id, type: event.type.rawValue, objectID: event.objectID, created: event.created,
            livemode: event.livemode, account: event.account, apiVersion: event.apiVersion, body: request.body,
            receivedAt: Int64(Date().timeIntervalSince1970 * 1000), verifiedBy: verified.secretLabel
        )
        return (record, event)
    }
}

extension WebhookRejection {
    /// A human sentence for the log; never a secret or an expected signature.
    var message: String {
        switch self {
        case .notFound: "no webhook endpoint at this path"
        case .methodNotAllowed: "the webhook endpoint takes POST only"
        case .readOnlyEndpoint: "this path takes GET and HEAD only"
        case .sourceNotAllowed(let clientIP): "client \(clientIP) is not in allowed_source_ips"
        case .signature(let error): error.message
        case .event(let error): error.message
        case .storeUnavailable(let error): String(describing: error)
        }
    }

    /// Refused sources are worth a warning (a misconfigured allow-list drops real events); the rest
    /// are ordinary traffic for the log at info.
    var logLevel: Logger.Level {
        if case .sourceNotAllowed = self { return .warning }
        return .info
    }
}
