import StripeWebhooks

extension DaemonConfiguration {
    /// The `stripe` settings as `check-config` prints them: the key as its reference, never its value.
    func renderedStripe() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("api_key", stripe.apiKey.map { .string($0.description) } ?? .null),
            ("api_base", .string(stripe.apiBase)),
            ("request_timeout_seconds", .double(stripe.requestTimeoutSeconds)),
            ("max_retries", .int(Int64(stripe.maxRetries))),
            ("endpoint_check_interval_seconds", .int(Int64(stripe.endpointCheckIntervalSeconds))),
        ]
        if let id = stripe.webhookEndpointID { members.append(("webhook_endpoint_id", .string(id))) }
        members.append(("catch_up", stripe.catchUp.map { catchUp in
            .object(JSONObject([("interval_seconds", .int(Int64(catchUp.intervalSeconds))), ("look_back", .string(catchUp.lookBack))]))
        } ?? .null))
        return .object(JSONObject(members))
    }

    /// An endpoint whose Stripe webhook endpoint the daemon watches.
    struct WatchedEndpoint: Sendable, Hashable {
        /// The path it is served at.
        var path: String
        /// Its Stripe id, `we_…`.
        var id: String
    }

    /// The endpoints with a `webhook_endpoint_id`: entries of `endpoints`, or the top-level endpoint
    /// with `stripe.webhook_endpoint_id`.
    var watchedEndpoints: [WatchedEndpoint] {
        if endpoints.isEmpty {
            return stripe.webhookEndpointID.map { [WatchedEndpoint(path: path, id: $0)] } ?? []
        }
        return endpoints.compactMap { endpoint in endpoint.webhookEndpointID.map { WatchedEndpoint(path: endpoint.path, id: $0) } }
    }

    /// Checks the `stripe` settings and every `webhook_endpoint_id`, recording each mistake in `issues`.
    func validateStripe(into issues: ConfigurationIssues) {
        issues.check { () throws(ConfigurationError) in try stripe.validate() }
        if !endpoints.isEmpty, stripe.webhookEndpointID != nil {
            issues.error("stripe.webhook_endpoint_id names the top-level endpoint; with \"endpoints\", give each entry its own webhook_endpoint_id")
        }
        for watched in watchedEndpoints {
            if !(watched.id.hasPrefix("we_") && watched.id.count > 3 && !watched.id.contains(where: { $0 == "/" || $0.isWhitespace })) {
                issues.error("webhook_endpoint_id of \(watched.path): \"\(watched.id)\" is not a Stripe webhook endpoint id (we_…; Dashboard → Developers → Webhooks)")
            }
        }
        if !watchedEndpoints.isEmpty, stripe.apiKey == nil {
            issues.error("webhook_endpoint_id needs stripe.api_key (a restricted key with read access to Webhook Endpoints)")
        }
    }
}
