import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StripeWebhooks
import WebhookSupport

/// The `forward` action: POSTs the raw event body to a URL with the event's id and type in headers,
/// the configured headers, and, with a signing secret, a fresh `Stripe-Signature` in Stripe's scheme,
/// so that the receiver verifies it with any Stripe SDK. 2xx is success; any other status (redirects
/// are not followed), a connection error or a timeout is a failed attempt.
final class ForwardAction: HandlerAction {
    /// Bytes of the response body kept with each attempt.
    static let captureLimit = 4096

    /// Where events go.
    let url: URL
    /// Configured headers, values resolved.
    let headers: [String: String]
    /// Signs each request when set.
    let signingSecret: WebhookSecret?
    /// Longest a request may take, in seconds.
    let timeout: Double
    /// This handler's connections (kept alive between events), no cookies, no cache.
    private let session: URLSession

    /// Creates the action and its URL session.
    /// - Parameters:
    ///   - url: the target.
    ///   - headers: extra headers, resolved.
    ///   - signingSecret: the secret for `Stripe-Signature`, if any.
    ///   - timeout: the request's time limit in seconds.
    init(url: URL, headers: [String: String], signingSecret: WebhookSecret?, timeout: Double) {
        self.url = url
        self.headers = headers
        self.signingSecret = signingSecret
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = timeout.rounded(.up)
        configuration.timeoutIntervalForResource = timeout.rounded(.up)
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// The request for one event, signed now when a secret is set.
    func request(for event: StripeEvent, body: [UInt8], now: Int64) -> URLRequest {
        // Foundation's per-request timeout has whole-second resolution; `perform` enforces the exact one.
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: max(1, timeout.rounded(.up)))
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("stripe-webhookd/\(Version.current)", forHTTPHeaderField: "User-Agent")
        request.setValue(event.id, forHTTPHeaderField: "X-Stripe-Event-Id")
        request.setValue(event.type.rawValue, forHTTPHeaderField: "X-Stripe-Event-Type")
        if let signingSecret {
            request.setValue(SignatureHeader.generate(payload: body, secret: signingSecret, timestamp: now), forHTTPHeaderField: SignatureHeader.name)
        }
        return request
    }

    /// POSTs the event and waits for the answer, at most `timeout` seconds.
    func perform(_ event: StripeEvent, context: EventHandlerContext) -> HandlerReport {
        var request = request(for: event, body: context.body, now: Int64(Date().timeIntervalSince1970))
        // A newer event about the same object was handled first: this one carries an older state.
        if context.isStale { request.setValue("true", forHTTPHeaderField: "X-Stripe-Event-Stale") }
        let answer = LockedValue<Answer?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            let timedOut = (error as? URLError)?.code == .timedOut
            answer.withLock { $0 = Answer(data: data, response: response as? HTTPURLResponse, error: error.map { "\($0.localizedDescription)" }, timedOut: timedOut) }
            done.signal()
        }
        task.delegate = RedirectRefusal.shared
        task.resume()
        let timedOut = "timed out after \(CommandAction.seconds(timeout)) s waiting for \(url.absoluteString)"
        if done.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            _ = done.wait(timeout: .now() + 5)
            return .failed(timedOut)
        }
        guard let answer = answer.withLock({ $0 }) else { return .failed("no answer from \(url.absoluteString)") }
        if answer.timedOut { return .failed(timedOut) }
        guard let response = answer.response else {
            return .failed("POST \(url.absoluteString) failed: \(answer.error ?? "no HTTP response")")
        }
        var body = CapturedOutput(limit: Self.captureLimit)
        if let data = answer.data { data.withUnsafeBytes { body.append($0) } }
        let status = response.statusCode
        let output = "HTTP \(status)" + (body.total > 0 ? "\n" + body.text : "")
        switch status {
        case 200..<300:
            return .success(output: output)
        case 300..<400:
            let location = response.value(forHTTPHeaderField: "Location").map { " to \($0)" } ?? ""
            return .failed("HTTP \(status): redirect\(location) not followed; point the forward url at the final address", output: output)
        default:
            return .failed("HTTP \(status) from \(url.absoluteString)", output: output)
        }
    }

    /// What came back.
    struct Answer: Sendable {
        /// The response body, if any.
        var data: Data?
        /// The response, if one arrived.
        var response: HTTPURLResponse?
        /// The transport error, if any.
        var error: String?
        /// Whether Foundation gave up waiting (its whole-second timeout).
        var timedOut: Bool
    }
}

/// Turns down every redirect, so the 3xx itself is the answer (a forward that lands elsewhere is
/// a misconfiguration to see, not to follow).
final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    /// The one instance; it holds no state.
    static let shared = RedirectRefusal()

    /// Declines the redirect.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
