import EventStore
import StripeWebhooks
import WebhookSupport

/// Everything the daemon serves with that a reload may change: the configuration, the endpoints with
/// their verifiers, and the handlers with their retry policy. Immutable; SIGHUP builds a new one and
/// swaps it in whole, so a request or an event sees either the old one or the new one, never a mix.
final class DaemonRuntime: Sendable {
    /// The configuration it was built from.
    let configuration: DaemonConfiguration
    /// Endpoints by path.
    let endpoints: [String: WebhookEndpoint]
    /// Built-in and configured handlers by event type.
    let router: EventRouter
    /// The global retry policy.
    let retry: RetryPolicy
    /// The configured handlers, in configuration order.
    let handlers: [ConfiguredHandler]
    /// Which clients are believed behind proxies and allowed to post.
    let sourcePolicy: SourcePolicy
    /// Where command handlers record their process groups (next to a SQLite store); `nil` for none.
    let commands: RunningCommands?

    /// Creates a runtime from built parts.
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - endpoints: endpoints by path.
    ///   - router: every handler by event type.
    ///   - retry: the global retry policy.
    ///   - handlers: the configured handlers.
    ///   - sourcePolicy: trusted proxies and allowed sources.
    ///   - commands: where command handlers record their process groups.
    init(configuration: DaemonConfiguration, endpoints: [String: WebhookEndpoint], router: EventRouter, retry: RetryPolicy, handlers: [ConfiguredHandler], sourcePolicy: SourcePolicy = SourcePolicy(), commands: RunningCommands? = nil) {
        self.sourcePolicy = sourcePolicy
        self.commands = commands
        self.configuration = configuration
        self.endpoints = endpoints
        self.router = router
        self.retry = retry
        self.handlers = handlers
    }

    /// A runtime with handlers only and no endpoint, for a dispatcher on its own.
    convenience init(router: EventRouter, retry: RetryPolicy) {
        self.init(configuration: DaemonConfiguration(), endpoints: [:], router: router, retry: retry, handlers: [])
    }

    /// The retry policy a configuration describes.
    static func retryPolicy(_ retry: DaemonConfiguration.Retry) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: retry.maxAttempts,
            initialDelay: Int64((retry.initialDelaySeconds * 1000).rounded()),
            maxDelay: Int64((retry.maxDelaySeconds * 1000).rounded())
        )
    }
}
