/// A failed Stripe API call, with a sentence for operators; never the API key.
public struct StripeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently.
    public enum Kind: Sendable, Equatable {
        /// The settings cannot work (bad base URL, a key that is not a Stripe secret or restricted key).
        case configuration
        /// 401: the key is wrong, revoked or missing.
        case authentication
        /// 403: a restricted key lacks a permission (named when Stripe names it).
        case permission(String?)
        /// 404: no such object.
        case notFound
        /// 429 answers outlasted the retries.
        case rateLimited
        /// Another 4xx: the request itself is wrong.
        case invalidRequest(status: Int)
        /// 5xx answers outlasted the retries (or Stripe said not to retry).
        case server(status: Int)
        /// No HTTP answer: connection refused, DNS, TLS, timeout; after the retries.
        case network
        /// An answer that is not the JSON Stripe documents.
        case invalidResponse
    }

    /// The kind of failure.
    public var kind: Kind
    /// A sentence naming the call and what to do; never the key.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
