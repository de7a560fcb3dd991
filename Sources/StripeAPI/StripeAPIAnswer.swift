import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StripeWebhooks

/// One HTTP exchange's result, and how the client judges it: success, or an error with whether and
/// when to retry (docs.stripe.com/error-low-level, docs.stripe.com/rate-limits; the SDKs' rules).
struct StripeAPIAnswer: Sendable {
    /// The body, if any.
    var data: Data?
    /// The response, if one arrived.
    var response: HTTPURLResponse?
    /// The transport error, if no response arrived.
    var error: String?

    /// Whether and when to try again.
    struct Retry: Sendable, Equatable {
        /// Whether a retry may succeed.
        var allowed: Bool
        /// The `Retry-After` seconds Stripe asked for, if any.
        var after: Double?
    }

    /// A judged answer.
    enum Verdict: Sendable {
        /// 2xx with this body.
        case success([UInt8])
        /// A failure, retryable or not.
        case failure(StripeAPIError, Retry)
    }

    /// Judges the answer to `call` (e.g. `GET /v1/events`).
    static func judge(_ answer: StripeAPIAnswer, call: String) -> Verdict {
        guard let response = answer.response else {
            return .failure(StripeAPIError(.network, "\(call): no answer from Stripe (\(answer.error ?? "unknown error"))"), Retry(allowed: true))
        }
        let status = response.statusCode
        let body = answer.data.map { [UInt8]($0) } ?? []
        if (200..<300).contains(status) { return .success(body) }
        let stripeMessage = Self.errorMessage(body)
        let detail = stripeMessage.map { ": \($0)" } ?? ""
        // Stripe-Should-Retry, when present, overrides the status's usual rule (the SDKs do the same).
        let shouldRetry = response.value(forHTTPHeaderField: "Stripe-Should-Retry").map { $0.lowercased() == "true" }
        let retryAfter = response.value(forHTTPHeaderField: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        let error: StripeAPIError
        var retryable = false
        switch status {
        case 401:
            error = StripeAPIError(.authentication, "\(call): HTTP 401, Stripe refused the API key (wrong, revoked or for another account); check stripe.api_key\(detail)")
        case 403:
            let permission = stripeMessage.flatMap(Self.permissionName)
            let advice = permission.map { "; give the restricted key the '\($0)' permission" } ?? "; the restricted key needs read access to Events and Webhook Endpoints"
            error = StripeAPIError(.permission(permission), "\(call): HTTP 403, the key lacks a permission\(advice)\(detail)")
        case 404:
            error = StripeAPIError(.notFound, "\(call): HTTP 404, no such object\(detail)")
        case 429:
            error = StripeAPIError(.rateLimited, "\(call): HTTP 429, rate limited by Stripe; gave up after the retries\(detail)")
            retryable = true
        case 409:
            error = StripeAPIError(.invalidRequest(status: status), "\(call): HTTP 409\(detail)")
            retryable = true
        case 500...:
            error = StripeAPIError(.server(status: status), "\(call): HTTP \(status) from Stripe\(detail)")
            retryable = true
        default:
            error = StripeAPIError(.invalidRequest(status: status), "\(call): HTTP \(status)\(detail)")
        }
        return .failure(error, Retry(allowed: shouldRetry ?? retryable, after: retryAfter))
    }

    /// `error.message` of Stripe's error object (docs.stripe.com/api/errors), if the body is one.
    static func errorMessage(_ body: [UInt8]) -> String? {
        guard let json = try? JSONParser().parse(body) else { return nil }
        return json["error"]?["message"]?.stringValue
    }

    /// The permission a 403 message names: "… Having the 'rak_event_read' permission would allow …".
    static func permissionName(_ message: String) -> String? {
        guard let having = message.range(of: "Having the '") else { return nil }
        let rest = message[having.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let name = String(rest[..<end])
        return name.isEmpty ? nil : name
    }

    /// A lock-protected slot for the answer, written by URLSession's delegate queue.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var value: StripeAPIAnswer?

        /// Stores the answer.
        func set(_ answer: StripeAPIAnswer) { lock.lock(); value = answer; lock.unlock() }

        /// Reads the answer.
        func get() -> StripeAPIAnswer? { lock.lock(); defer { lock.unlock() }; return value }
    }
}
