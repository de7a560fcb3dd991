import Foundation

/// How the client reaches Stripe: base URL, key, timeouts and retries. Every limit has a default.
public struct StripeAPIOptions: Sendable {
    /// Stripe's API, the default base URL.
    public static let defaultBaseURL = "https://api.stripe.com"

    /// Where the API is: `https://…`, or `http://` on a loopback address only (tests, a local fake).
    public var baseURL: URL
    /// The secret or restricted key (`rk_live_…`); sent as a Bearer token, never logged.
    public var apiKey: String
    /// Seconds one request may take before it counts as a network failure. Default 30.
    public var requestTimeoutSeconds: Double = 30
    /// Retries after a network error, a 429, a 409 or a 5xx (Stripe's SDKs retry the same). Default 5.
    public var maxRetries = 5
    /// Delay before the first retry, in seconds; doubles per retry, with jitter. Default 0.5.
    public var initialRetryDelaySeconds = 0.5
    /// Longest delay between retries, in seconds, also capping `Retry-After`. Default 30.
    public var maxRetryDelaySeconds = 30.0
    /// The `Stripe-Account` header for a connected account's objects (Connect), if any.
    public var stripeAccount: String?

    /// Checks and creates options: the base URL must be https, or http on a loopback address, and
    /// the key a Stripe secret or restricted key.
    /// - Parameters:
    ///   - baseURL: the API's base URL text, e.g. `https://api.stripe.com`.
    ///   - apiKey: the key.
    public init(baseURL text: String = StripeAPIOptions.defaultBaseURL, apiKey: String) throws(StripeAPIError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw StripeAPIError(.configuration, "stripe.api_base \"\(text)\" is not an absolute URL such as https://api.stripe.com")
        }
        switch scheme {
        case "https": break
        case "http":
            // The key travels in a header: in clear text only to this machine.
            guard Self.isLoopback(host) else {
                throw StripeAPIError(.configuration, "stripe.api_base \"\(text)\": plain http is accepted only for loopback addresses (127.0.0.1, ::1, localhost); use https")
            }
        default:
            throw StripeAPIError(.configuration, "stripe.api_base \"\(text)\": the scheme must be https")
        }
        guard StripeKeyMode(key: apiKey) != nil else {
            throw StripeAPIError(.configuration, "stripe.api_key is not a Stripe secret or restricted key (expected sk_test_…, sk_live_…, rk_test_… or rk_live_…)")
        }
        baseURL = url
        self.apiKey = apiKey
    }

    /// The key's mode.
    public var keyMode: StripeKeyMode { StripeKeyMode(key: apiKey) ?? .test }

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
