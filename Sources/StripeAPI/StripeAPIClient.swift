import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StripeWebhooks

/// A small blocking client for Stripe's REST API: GET requests with the key as a Bearer token, the
/// pinned `Stripe-Version`, timeouts and retries with back-off.
///
/// Every call blocks its thread until Stripe answered or the retries ran out: call it from a thread of
/// your own (a command's main thread, the daemon's catch-up thread), never from Swift's cooperative pool.
public final class StripeAPIClient: Sendable {
    /// Where and how to call.
    public let options: StripeAPIOptions
    /// Waits between retries; tests pass one that records instead of sleeping long.
    let sleep: @Sendable (Double) -> Void
    /// No cookies, no cache; connections kept alive between calls.
    private let session: URLSession

    /// Creates a client.
    /// - Parameters:
    ///   - options: base URL, key, timeouts, retries.
    ///   - sleep: how to wait between retries (default: `Thread.sleep`).
    public init(options: StripeAPIOptions, sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
        self.options = options
        self.sleep = sleep
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = options.requestTimeoutSeconds
        configuration.timeoutIntervalForResource = options.requestTimeoutSeconds
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// GETs `path` (e.g. `/v1/events`) with `query` items and returns the parsed JSON body of a 2xx
    /// answer, retrying network errors, 409, 429 and 5xx up to `maxRetries` times.
    public func get(_ path: String, query: [URLQueryItem] = []) throws(StripeAPIError) -> JSONValue {
        let bytes = try getBytes(path, query: query)
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw StripeAPIError(.invalidResponse, "GET \(path): the answer is not JSON (\(error))")
        }
    }

    /// Like `get`, returning the raw body of the 2xx answer; `headers` are added to the request (e.g.
    /// `Stripe-Context` for an object of another account).
    public func getBytes(_ path: String, query: [URLQueryItem] = [], headers: [String: String] = [:]) throws(StripeAPIError) -> [UInt8] {
        var components = URLComponents(url: options.baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query }
        // URLComponents leaves `[` `]` in names such as `created[gte]`; Stripe (and the fake) read both forms.
        guard let url = components?.url else { throw StripeAPIError(.configuration, "GET \(path): cannot build a URL from stripe.api_base") }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: options.requestTimeoutSeconds)
        request.httpMethod = "GET"
        request.setValue("Bearer \(options.apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue(StripeAPIVersion.pinned, forHTTPHeaderField: "Stripe-Version")
        request.setValue("stripe-webhookd", forHTTPHeaderField: "User-Agent")
        if let account = options.stripeAccount { request.setValue(account, forHTTPHeaderField: "Stripe-Account") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }

        var attempt = 0
        while true {
            let answer = perform(request)
            let verdict = StripeAPIAnswer.judge(answer, call: "GET \(path)")
            switch verdict {
            case .success(let body):
                return body
            case .failure(let error, let retry):
                guard retry.allowed, attempt < options.maxRetries else { throw redacted(error) }
                sleep(delay(beforeRetry: attempt, retryAfter: retry.after))
                attempt += 1
            }
        }
    }

    /// The wait before retry number `attempt + 1`: `Retry-After` when Stripe sent one, else exponential
    /// back-off from `initialRetryDelaySeconds` with jitter (half to all of it), capped at `maxRetryDelaySeconds`.
    func delay(beforeRetry attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), options.maxRetryDelaySeconds) }
        let base = min(options.initialRetryDelaySeconds * pow(2, Double(min(attempt, 30))), options.maxRetryDelaySeconds)
        return base * Double.random(in: 0.5...1.0)
    }

    /// Sends one request and waits for its answer (at most the request timeout, plus a second for
    /// Foundation to report it).
    private func perform(_ request: URLRequest) -> StripeAPIAnswer {
        let box = StripeAPIAnswer.Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(StripeAPIAnswer(data: data, response: response as? HTTPURLResponse, error: error.map { "\($0.localizedDescription)" }))
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + options.requestTimeoutSeconds + 1) == .timedOut {
            task.cancel()
            _ = done.wait(timeout: .now() + 5)
            return StripeAPIAnswer(data: nil, response: nil, error: "timed out after \(options.requestTimeoutSeconds) s")
        }
        return box.get() ?? StripeAPIAnswer(data: nil, response: nil, error: "no answer")
    }

    /// The error with every occurrence of the key replaced (Stripe masks keys in its messages; this
    /// makes sure of it).
    private func redacted(_ error: StripeAPIError) -> StripeAPIError {
        guard error.message.contains(options.apiKey) else { return error }
        return StripeAPIError(error.kind, error.message.replacingOccurrences(of: options.apiKey, with: "<api key>"))
    }
}
