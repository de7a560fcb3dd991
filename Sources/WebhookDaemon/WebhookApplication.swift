import EventStore
import Foundation
import HTTP1
import StripeWebhooks
import WebhookSupport

/// The daemon, built from a configuration: store, router, dispatcher and HTTP server wired together.
/// `main` builds one and runs it; tests build the same thing on port 0.
public final class WebhookApplication: Sendable {
    /// The settings it was built from.
    public let configuration: DaemonConfiguration
    private let logger: Logger
    private let store: any EventStore
    private let dispatcher: EventDispatcher
    private let server: HTTPServer

    /// Resolves secrets, opens the store and builds every part; nothing listens until `start()`.
    /// - Parameters:
    ///   - configuration: validated settings.
    ///   - environment: where `env:` secrets are read from.
    ///   - logger: the root logger.
    public init(configuration: DaemonConfiguration, environment: [String: String], logger: Logger) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger

        guard !configuration.secrets.isEmpty else { throw ConfigurationError(Self.noSecretMessage) }
        var secrets: [WebhookSecret] = []
        for (index, reference) in configuration.secrets.enumerated() {
            let value = try reference.resolve(environment: environment)
            if !value.hasPrefix("whsec_") {
                logger.warning("a signing secret does not start with whsec_; Stripe's endpoint secrets do", metadata: ["secret.label": reference.displayLabel(index: index)])
            }
            if reference.isLiteral {
                logger.warning("a signing secret is written in the configuration; prefer env:NAME or file:PATH", metadata: ["secret.label": reference.displayLabel(index: index)])
            }
            secrets.append(WebhookSecret(value, label: reference.displayLabel(index: index)))
        }
        let tolerance: SignatureTolerance
        if configuration.disableTimestampCheck {
            logger.critical("the signature timestamp check is OFF: captured requests can be replayed forever. Use only for testing.")
            tolerance = .disabled
        } else {
            tolerance = .seconds(configuration.toleranceSeconds)
        }
        let verifier = try SignatureVerifier(secrets: secrets, tolerance: tolerance)

        store = try Self.openStore(configuration.store, logger: logger)
        var router = EventRouter()
        try BuiltinHandlers.register(on: &router, logger: logger)
        dispatcher = EventDispatcher(
            store: store, router: router,
            retry: RetryPolicy(
                maxAttempts: configuration.retry.maxAttempts,
                initialDelay: Int64(configuration.retry.initialDelaySeconds * 1000),
                maxDelay: Int64(configuration.retry.maxDelaySeconds * 1000)
            ),
            workers: configuration.workers, logger: logger
        )
        let responder = WebhookResponder(
            path: configuration.path, verifier: verifier, secretLabels: secrets.compactMap(\.label),
            store: store, dispatcher: dispatcher, logger: logger
        )
        server = HTTPServer(configuration: Self.serverConfiguration(configuration), responder: responder, logger: logger)
    }

    /// The message shown when no secret is configured: where to get one.
    static let noSecretMessage = """
        no webhook signing secret configured. Every Stripe event is signed, and this daemon refuses to run \
        without a way to check the signature. Get a secret and pass it with --secret, STRIPE_WEBHOOK_SECRET or \
        "secrets" in the config file:
          - developing locally: run `stripe listen --print-secret` (or start `stripe listen --forward-to \
        http://localhost:4242/webhook`, which prints it)
          - production: Stripe Dashboard → Developers → Webhooks → your endpoint → Signing secret (whsec_…)
        """

    /// Opens the store a `store` setting names.
    static func openStore(_ setting: String, logger: Logger) throws -> any EventStore {
        switch try StoreLocation(parsing: setting) {
        case .memory:
            logger.warning("store is memory: accepted events are LOST when the daemon exits. Use sqlite:PATH in production.")
            return MemoryEventStore()
        case .sqlite(let path):
            let store = try SQLiteEventStore(path: path, logger: logger)
            logger.info("event store opened", metadata: ["store.path": path])
            return store
        }
    }

    /// Maps the daemon's settings onto the HTTP server's.
    static func serverConfiguration(_ configuration: DaemonConfiguration) -> HTTPServerConfiguration {
        var server = HTTPServerConfiguration()
        server.host = configuration.host
        server.port = configuration.port
        server.eventLoopCount = configuration.eventLoops
        let limits = configuration.limits
        server.limits.maxRequestLineBytes = limits.maxRequestLineBytes
        server.limits.maxHeaderBytes = limits.maxHeaderBytes
        server.limits.maxHeaderCount = limits.maxHeaderCount
        server.limits.maxBodyBytes = limits.maxBodyBytes
        server.limits.headerReadTimeout = .seconds(limits.headerTimeoutSeconds)
        server.limits.bodyReadTimeout = .seconds(limits.bodyTimeoutSeconds)
        server.limits.idleTimeout = .seconds(limits.idleTimeoutSeconds)
        server.limits.maxConnections = limits.maxConnections
        return server
    }

    /// Starts the workers and the listener; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        dispatcher.start()
        let port = try server.start()
        logger.notice("stripe-webhookd \(Version.current) listening on http://\(configuration.host):\(port)\(configuration.path)", metadata: [
            "store": configuration.store, "event_loops": String(configuration.eventLoops), "workers": String(configuration.workers),
        ])
        return port
    }

    /// Graceful stop: no new connections, in-flight requests finish (and their commits), running handlers
    /// finish, then the store closes. Events not yet handled stay pending for the next start.
    public func shutdown() {
        logger.notice("shutting down: finishing requests in flight", metadata: ["grace_seconds": String(configuration.shutdownGraceSeconds)])
        server.shutdown(gracePeriod: .seconds(configuration.shutdownGraceSeconds))
        dispatcher.stop()
        store.close()
        logger.notice("stopped")
    }
}
