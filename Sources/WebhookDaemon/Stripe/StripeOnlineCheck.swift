import Foundation
import StripeAPI

/// `check-config --online`: checks against Stripe's API what the configuration relies on: the key
/// works and may read Events, each `webhook_endpoint_id` exists, is enabled and in the key's mode,
/// and every handler matches a type the endpoints are sent.
enum StripeOnlineCheck {
    /// Runs the checks, printing one line per finding to standard error; returns whether none failed.
    static func run(_ configuration: DaemonConfiguration, environment: [String: String], console: Console) throws(ConfigurationError) -> Bool {
        let options = try configuration.stripe.apiOptions(environment: environment)
        let client = StripeAPIClient(options: options)
        var ok = true
        func problem(_ text: String) { console.err("online: FAILED: \(text)\n"); ok = false }

        do {
            _ = try client.get("/v1/events", query: [URLQueryItem(name: "limit", value: "1")])
            console.err("online: stripe.api_key works (\(options.keyMode.rawValue) mode) and may read Events\n")
        } catch {
            problem(error.message)
        }
        var enabled: Set<String> = []
        var fetched = 0
        for watched in configuration.watchedEndpoints {
            do {
                let endpoint = try client.webhookEndpoint(id: watched.id)
                fetched += 1
                enabled.formUnion(endpoint.enabledEvents)
                if !options.keyMode.matches(livemode: endpoint.livemode) {
                    problem("webhook_endpoint_id \(watched.id) of \(watched.path) is a \(endpoint.livemode ? "live" : "test") mode endpoint, but stripe.api_key is a \(options.keyMode.rawValue) mode key")
                }
                if endpoint.isEnabled {
                    console.err("online: webhook endpoint \(watched.id) of \(watched.path) is enabled (\(endpoint.enabledEvents.count) event types)\n")
                } else {
                    problem("Stripe has disabled webhook endpoint \(watched.id) of \(watched.path); re-enable it in the Dashboard (Developers → Webhooks) and run `events backfill`")
                }
            } catch {
                let hint = error.kind == .notFound ? " (a test mode key cannot see live endpoints, nor the other way round)" : ""
                problem("webhook_endpoint_id \(watched.id) of \(watched.path): \(error.message)\(hint)")
            }
        }
        // Coverage is known only when every served endpoint is watched and was fetched.
        if fetched > 0, fetched == configuration.effectiveEndpoints.count {
            for handler in HandlerCoverage.unreachable(configuration.handlers, enabledEvents: enabled) {
                problem(HandlerCoverage.message(for: handler, endpoints: configuration.watchedEndpoints.map(\.id)))
            }
        }
        return ok
    }
}
