import StripeAPI

extension DaemonRuntime {
    /// The Stripe API reader of the handlers with `fetch`, or nil when none has one. It makes one call
    /// per attempt and leaves retrying to the dispatcher (a failed fetch is a failed attempt), so its
    /// client does not retry on its own.
    static func thinEventFetcher(_ configuration: DaemonConfiguration, environment: [String: String]) throws(ConfigurationError) -> (any ThinEventFetcher)? {
        guard configuration.handlers.contains(where: { $0.fetch != nil }) else { return nil }
        var options = try configuration.stripe.apiOptions(environment: environment)
        options.maxRetries = 0
        return StripeThinEventFetcher(client: StripeAPIClient(options: options))
    }
}
