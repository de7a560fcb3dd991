import EventStore
import HTTP1
import StripeWebhooks
import WebhookSupport

/// Why the webhook endpoint did not accept a request. This is the one place where the daemon's
/// errors become HTTP statuses (protocol errors become statuses inside HTTP1's server).
enum WebhookRejection: Error {
    /// The path is not a webhook endpoint.
    case notFound
    /// The endpoint takes only POST.
    case methodNotAllowed
    /// An admin path (`/healthz`, `/readyz`, `/metrics`) takes only GET and HEAD.
    case readOnlyEndpoint
    /// The client is outside `allowed_source_ips`.
    case sourceNotAllowed(clientIP: String)
    /// `Stripe-Signature` did not verify.
    case signature(SignatureVerificationError)
    /// The body is not an event of the endpoint's payload style.
    case event(EventDecodingError)
    /// The store could not take the event: Stripe must retry.
    case storeUnavailable(EventStoreError)

    /// Seconds Stripe (or any client) is asked to wait before retrying after a 503.
    static let retryAfterSeconds = 5

    /// The stable machine-readable reason sent as `{"error": reason}`.
    var reason: String {
        switch self {
        case .notFound: "not_found"
        case .methodNotAllowed, .readOnlyEndpoint: "method_not_allowed"
        case .sourceNotAllowed: "source_ip_not_allowed"
        case .signature(let error): error.reason.rawValue
        case .event(let error): error.reason.rawValue
        case .storeUnavailable: "store_unavailable"
        }
    }

    /// The response: 404, 405 with `Allow: POST` (`GET, HEAD` on admin paths), 403 for a client
    /// outside `allowed_source_ips`, 400 for signature and event errors (Stripe's docs:
    /// answer 400 so the failure shows in the Dashboard; a payload-style mix-up also says what to fix in
    /// `message`), 503 with `Retry-After` when storing failed.
    var response: HTTPResponse {
        switch self {
        case .notFound:
            return .error(.notFound, reason: reason)
        case .methodNotAllowed:
            var response = HTTPResponse.error(.methodNotAllowed, reason: reason)
            response.headers.add(name: "Allow", value: "POST")
            return response
        case .readOnlyEndpoint:
            var response = HTTPResponse.error(.methodNotAllowed, reason: reason)
            response.headers.add(name: "Allow", value: "GET, HEAD")
            return response
        case .sourceNotAllowed:
            return .error(.forbidden, reason: reason)
        case .event(let error) where error.reason == .thinEvent || error.reason == .snapshotEvent:
            // A payload-style mix-up is a setup mistake: the body says what to fix, and Stripe shows it
            // with the failed delivery in the Dashboard.
            return .json(.badRequest, "{\"error\":\(LogSink.jsonString(reason)),\"message\":\(LogSink.jsonString(error.message))}")
        case .signature, .event:
            return .error(.badRequest, reason: reason)
        case .storeUnavailable:
            var response = HTTPResponse.error(.serviceUnavailable, reason: reason)
            response.headers.add(name: "Retry-After", value: String(Self.retryAfterSeconds))
            return response
        }
    }
}
