import StripeAPI

/// The `stripe` settings: how the daemon reads Stripe's API (catch-up from the Events API, the
/// endpoint watchdog). Everything here is off until `api_key` is set.
public struct StripeConfiguration: Sendable, Equatable {
    /// The key (`env:NAME`, `file:PATH` or a literal `rk_live_…`): a restricted key with read access
    /// to Events and Webhook Endpoints is enough. Never logged or printed.
    public var apiKey: SecretReference?
    /// The API's base URL. Default `https://api.stripe.com`; `http://` only on loopback (tests, staging fakes).
    public var apiBase = StripeAPIOptions.defaultBaseURL
    /// Seconds one API request may take. Default 30.
    public var requestTimeoutSeconds = 30.0
    /// Retries of a failed request (network error, 409, 429, 5xx). Default 5.
    public var maxRetries = 5
    /// Seconds between two checks of each endpoint's `webhook_endpoint_id`. Default 300.
    public var endpointCheckIntervalSeconds = 300
    /// The Stripe webhook endpoint (`we_…`) of the top-level endpoint (`path`/`secrets`), to watch;
    /// entries of `endpoints` name theirs with their own `webhook_endpoint_id`.
    public var webhookEndpointID: String?
    /// Automatic catch-up inside `serve`; `nil` (default) is off.
    public var catchUp: CatchUp?

    /// `stripe.catch_up`: list the Events API at start-up and then every `intervalSeconds`, storing
    /// what deliveries missed.
    public struct CatchUp: Sendable, Equatable {
        /// Seconds between two catch-ups. Default 3600.
        public var intervalSeconds = 3600
        /// How far back each catch-up lists, as a duration (`72h`, `3d`). Default `4d`: longer than
        /// Stripe's three days of retries, within the Events API's 30 days.
        public var lookBack = "4d"

        /// The defaults.
        public init() {}
    }

    /// The defaults.
    public init() {}

    /// The Events API keeps events this long (docs.stripe.com/api/events: 30 days), in milliseconds.
    static let eventsRetentionMilliseconds: Int64 = 30 * 86_400_000

    /// Checks the values that can be checked without the key's value.
    func validate() throws(ConfigurationError) {
        guard requestTimeoutSeconds > 0 else { throw ConfigurationError("stripe.request_timeout_seconds: must be a positive number") }
        guard maxRetries >= 0 else { throw ConfigurationError("stripe.max_retries: must be 0 or more") }
        guard endpointCheckIntervalSeconds > 0 else { throw ConfigurationError("stripe.endpoint_check_interval_seconds: must be a positive number") }
        if let catchUp {
            guard apiKey != nil else { throw ConfigurationError("stripe.catch_up needs stripe.api_key") }
            guard catchUp.intervalSeconds > 0 else { throw ConfigurationError("stripe.catch_up.interval_seconds: must be a positive number") }
            guard let lookBack = TimeExpression.duration(catchUp.lookBack), lookBack > 0 else {
                throw ConfigurationError("stripe.catch_up.look_back: \"\(catchUp.lookBack)\" is not a duration such as 72h or 4d")
            }
            guard lookBack <= Self.eventsRetentionMilliseconds else {
                throw ConfigurationError("stripe.catch_up.look_back: \(catchUp.lookBack) is longer than the 30 days the Events API keeps events")
            }
        }
        // A base URL mistake shows now, not at the first catch-up.
        do {
            _ = try StripeAPIOptions(baseURL: apiBase, apiKey: "sk_test_placeholder")
        } catch {
            throw ConfigurationError(error.message)
        }
    }

    /// Resolves the key and builds the API client's options; errors name the setting, never the key.
    func apiOptions(environment: [String: String]) throws(ConfigurationError) -> StripeAPIOptions {
        guard let apiKey else {
            throw ConfigurationError("stripe.api_key is not set: give the config file a \"stripe\": {\"api_key\": \"env:STRIPE_API_KEY\"} (a restricted key with read access to Events and Webhook Endpoints)")
        }
        let key: String
        do {
            key = try apiKey.resolve(environment: environment)
        } catch {
            throw ConfigurationError("stripe.api_key: " + error.message.replacingOccurrences(of: "a Stripe signing secret looks like whsec_…", with: "a Stripe API key looks like rk_live_…"))
        }
        do {
            var options = try StripeAPIOptions(baseURL: apiBase, apiKey: key)
            options.requestTimeoutSeconds = requestTimeoutSeconds
            options.maxRetries = maxRetries
            return options
        } catch {
            throw ConfigurationError(error.message)
        }
    }
}
