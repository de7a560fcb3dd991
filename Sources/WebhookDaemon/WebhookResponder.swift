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

    /// Creates the responder.
    init(runtime: LockedValue<DaemonRuntime>, store: any EventStore, dispatcher: EventDispatcher, logger: Logger) {
        self.runtime = runtime
        self.store = store
        self.dispatcher = dispatcher
        self.logger = logger
    }

    static let accepted = HTTPResponse.json(.ok, #"{"received":true}"#)
    static let duplicate = HTTPResponse.json(.ok, #"{"received":true,"duplicate":true}"#)

    /// Answers one request; never blocks the event loop (the store commits on its own thread).
    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        let record: EventRecord
        do {
            record = try accept(request)
        } catch {
            logger.info("webhook rejected: \(error.reason)", metadata: [
                "request.id": context.requestID, "client.address": context.remoteAddress,
                "http.status": String(error.response.status.code), "error.message": error.message,
            ])
            completion(error.response)
            return
        }
        let logger = self.logger
        let dispatcher = self.dispatcher
        let path = request.path
        store.insert(record) { result in
            switch result {
            case .success(.stored):
                // The label tells an operator rolling a secret which one Stripe still signs with.
                logger.info("event stored", metadata: [
                    "request.id": context.requestID, "event.id": record.id, "event.type": record.type,
                    "endpoint": path, "secret.label": record.verifiedBy ?? "-",
                ])
                dispatcher.wake()
                completion(Self.accepted)
            case .success(.duplicate):
                logger.info("duplicate event: already stored, not dispatched again", metadata: [
                    "request.id": context.requestID, "event.id": record.id, "event.type": record.type,
                ])
                completion(Self.duplicate)
            case .failure(let error):
                logger.error("could not store event; answering 503 so Stripe retries", metadata: [
                    "request.id": context.requestID, "event.id": record.id, "error.message": String(describing: error),
                ])
                completion(WebhookRejection.storeUnavailable(error).response)
            }
        }
    }

    /// Routes, verifies and decodes; throws the rejection that becomes the response.
    func accept(_ request: HTTPRequest) throws(WebhookRejection) -> EventRecord {
        let runtime = self.runtime.withLock { $0 }
        guard let endpoint = runtime.endpoints[request.path] else { throw .notFound }
        guard request.method == "POST" else { throw .methodNotAllowed }
        let verified: VerifiedSignature
        do {
            verified = try endpoint.verifier.verify(payload: request.body, header: request.headers["Stripe-Signature"])
        } catch {
            throw .signature(error)
        }
        let event: StripeEvent
        do {
            event = try StripeEvent.decode(from: request.body)
        } catch {
            throw .event(error)
        }
        return EventRecord(
            id: event.id, type: event.type.rawValue, objectID: event.objectID, created: event.created,
            livemode: event.livemode, account: event.account, apiVersion: event.apiVersion, body: request.body,
            receivedAt: Int64(Date().timeIntervalSince1970 * 1000), verifiedBy: verified.secretLabel
        )
    }
}

extension WebhookRejection {
    /// A human sentence for the log; never a secret or an expected signature.
    var message: String {
        switch self {
        case .notFound: "no webhook endpoint at this path"
        case .methodNotAllowed: "the webhook endpoint takes POST only"
        case .signature(let error): error.message
        case .event(let error): error.message
        case .storeUnavailable(let error): String(describing: error)
        }
    }
}
