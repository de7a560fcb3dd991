import EventStore
import Foundation
import HTTP1
import StripeWebhooks
import WebhookSupport

/// The daemon, built from a configuration: store, router, dispatcher and HTTP server wired together.
/// `main` builds one and runs it; tests build the same thing on port 0. `reload` swaps in a new
/// configuration's endpoints, secrets and handlers without touching the server or its connections.
public final class WebhookApplication: Sendable {
    private let logger: Logger
    private let environment: [String: String]
    private let runtime: LockedValue<DaemonRuntime>
    /// Serializes reloads, so that each builds on the runtime it replaces.
    private let reloading = NSLock()
    private let store: any EventStore
    private let dispatcher: EventDispatcher
    /// Reads the store's summary in the background for `/metrics` and `/readyz`.
    private let snapshot: StoreSnapshot
    private let server: HTTPServer
    /// `/healthz`, `/readyz` and `/metrics` on their own address, when `admin.port` is set.
    private let adminServer: HTTPServer?
    /// Catch-up from Stripe's Events API and the endpoint watchdog (idle without `stripe.api_key`).
    private let stripeMonitor: StripeMonitor
    /// Most connections the admin listener holds open (scrapers and probes, not webhook traffic).
    static let adminMaxConnections = 64

    /// The settings in effect (the last successful reload's, or the initial ones).
    public var configuration: DaemonConfiguration { runtime.withLock { $0.configuration } }

    /// Resolves secrets, finds handler programs, opens the store and builds every part; nothing
    /// listens until `start()`.
    /// - Parameters:
    ///   - configuration: the settings; validated here.
    ///   - environment: where `env:` references are read from, on start and on every reload.
    ///   - logger: the root logger.
    public init(configuration: DaemonConfiguration, environment: [String: String], logger: Logger) throws {
        self.logger = logger
        self.environment = environment
        // Commands record their process groups next to a SQLite store; a memory store does not outlive
        // the process, so nothing of it is rerun after a restart.
        var commands: RunningCommands?
        if case .sqlite(let path) = try StoreLocation(parsing: configuration.store) { commands = RunningCommands(storePath: path, logger: logger) }
        let runtime = try DaemonRuntime.build(configuration, environment: environment, logger: logger, previous: nil, commands: commands)
        self.runtime = LockedValue(runtime)
        let metrics = DaemonMetrics(version: Version.current)
        store = try Self.openStore(configuration, environment: environment, logger: logger, observer: metrics)
        dispatcher = EventDispatcher(store: store, runtime: self.runtime, workers: configuration.workers, logger: logger, metrics: metrics)
        // Events stored by any instance sharing a PostgreSQL store wake this one's idle workers.
        if let shared = store as? PostgreSQLEventStore { shared.onEventsStored { [dispatcher] in dispatcher.wake() } }
        let snapshot = StoreSnapshot(store: store) { reading in metrics.update(from: reading.summary) }
        self.snapshot = snapshot
        metrics.watchSnapshot(snapshot)
        stripeMonitor = StripeMonitor(runtime: self.runtime, environment: environment, store: store, registry: metrics.registry, logger: logger)
        let readiness = ReadinessCheck(store: store, dispatcher: dispatcher, snapshot: snapshot, stripe: stripeMonitor)
        let admin = AdminResponder(
            metrics: metrics, readiness: readiness, snapshot: snapshot, runtime: self.runtime, logger: logger)
        let responder = WebhookResponder(
            runtime: self.runtime, store: store, dispatcher: dispatcher, logger: logger, metrics: metrics,
            admin: configuration.admin.port == nil ? admin : nil)
        // The console and admin.auth belong to the admin listener alone; the webhook listener never serves them.
        let adminListenerResponder = configuration.admin.port == nil ? admin : AdminResponder(
            metrics: metrics, readiness: readiness, snapshot: snapshot, runtime: self.runtime, logger: logger,
            console: ConsoleResponder(store: store, dispatcher: dispatcher, readiness: readiness, runtime: self.runtime,
                                      gate: try Self.consoleGate(configuration.admin.auth, environment: environment), logger: logger))
        let server = HTTPServer(configuration: Self.serverConfiguration(configuration), responder: responder, logger: logger, observer: metrics)
        self.server = server
        metrics.watchConnections { server.openConnectionCount }
        if let adminPort = configuration.admin.port {
            var settings = Self.serverConfiguration(configuration)
            settings.host = configuration.admin.host
            settings.port = adminPort
            settings.eventLoopCount = 1
            settings.limits.maxConnections = Self.adminMaxConnections
            var adminLogger = logger
            adminLogger[metadataKey: "listener"] = "admin"
            adminServer = HTTPServer(configuration: settings, responder: adminListenerResponder, logger: adminLogger)
        } else {
            adminServer = nil
        }
        let busiest = configuration.handlers.map(\.maxConcurrency).max() ?? 0
        if busiest > configuration.workers {
            logger.notice("a handler allows more concurrent runs than there are workers; at most \(configuration.workers) run at once", metadata: ["workers": String(configuration.workers)])
        }
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

    /// Opens the store the configuration names (a PostgreSQL password reference is read from
    /// `environment`); `observer` hears of every write transaction.
    static func openStore(
        _ configuration: DaemonConfiguration, environment: [String: String], logger: Logger, observer: (any EventStoreObserver)? = nil
    ) throws -> any EventStore {
        switch try StoreLocation(parsing: configuration.store) {
        case .postgres(let url):
            // Many daemons share one database by design: no owner lock; claims are leases.
            let options = PostgreSQLEventStore.Options(leaseDuration: .seconds(configuration.claimLeaseSeconds))
            let store = try PostgreSQLStoreSetting(url: url).open(environment: environment, options: options, logger: logger, observer: observer)
            logger.info("event store opened", metadata: ["store.url": store.label, "store.owner": store.owner])
            return store
        case .memory:
            logger.warning("store is memory: accepted events are LOST when the daemon exits. Use sqlite:PATH in production.")
            return MemoryEventStore()
        case .sqlite(let path):
            // The owner lock: a second daemon on this store refuses to start (its recovery would release
            // this one's live claims).
            let store = try SQLiteEventStore(path: path, logger: logger, options: .init(ownerLock: true), observer: observer)
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

    /// The admin listener's bound port, once started; nil without one.
    public private(set) var adminPort: Int? {
        get { adminPortValue.withLock { $0 } }
        set { adminPortValue.withLock { $0 = newValue } }
    }
    private let adminPortValue = LockedValue<Int?>(nil)

    /// Starts the listeners, then the workers; returns the webhook listener's bound port. A listener
    /// that cannot bind (a busy port: `ListenerError.isAddressInUse`) throws before any worker runs.
    @discardableResult
    public func start() throws -> Int {
        let configuration = self.configuration
        let port: Int
        do {
            port = try server.start()
        } catch {
            throw ListenerError(listener: .webhook, host: configuration.host, port: configuration.port, underlying: error)
        }
        if let adminServer {
            let bound: Int
            do {
                bound = try adminServer.start()
            } catch {
                throw ListenerError(listener: .admin, host: configuration.admin.host, port: configuration.admin.port ?? 0, underlying: error)
            }
            adminPort = bound
            logger.notice("admin listener on http://\(configuration.admin.host):\(bound) (events console at /, /healthz, /readyz, /metrics)",
                          metadata: ["admin.auth": configuration.admin.auth == nil ? "none (loopback only)" : "required"])
        } else {
            logger.info("/healthz, /readyz and /metrics are served on the webhook listener (set admin.port to move them)")
        }
        let paths = configuration.effectiveEndpoints.map(\.path)
        logger.notice("stripe-webhookd \(Version.current) listening on http://\(configuration.host):\(port)\(paths[0])", metadata: [
            "store": StoreLocation.redacted(configuration.store), "event_loops": String(configuration.eventLoops), "workers": String(configuration.workers),
            "endpoints": paths.joined(separator: ","), "handlers": configuration.handlers.map(\.name).joined(separator: ","),
        ])
        // Only once both listeners hold their ports: a daemon that cannot listen never claims events.
        // What commands of a daemon that died left running goes before its events run again.
        runtime.withLock { $0.commands }?.killLeftovers(logger: logger)
        dispatcher.start()
        snapshot.start()
        logEndpoints()
        stripeMonitor.start()
        return port
    }

    /// Applies `configuration` to new requests and events: its endpoints, secrets, handlers and retry
    /// policy. Requests and handler runs in flight finish with what they started with; connections
    /// stay open. Settings the server or the store were built from (host, port, store, workers,
    /// event loops, limits, logging) need a restart: a change to them is logged and not applied.
    /// Throws, and changes nothing, when the configuration is invalid.
    public func reload(configuration: DaemonConfiguration) throws(ConfigurationError) {
        reloading.lock()
        defer { reloading.unlock() }
        let current = runtime.withLock { $0 }
        let unapplied = Self.restartOnlyChanges(from: current.configuration, to: configuration)
        // What the server and the store were built from stays as it is, and `configuration` says so.
        var applied = configuration
        applied.host = current.configuration.host
        applied.port = current.configuration.port
        applied.store = current.configuration.store
        applied.eventLoops = current.configuration.eventLoops
        applied.workers = current.configuration.workers
        applied.limits = current.configuration.limits
        applied.logLevel = current.configuration.logLevel
        applied.logFormat = current.configuration.logFormat
        applied.shutdownGraceSeconds = current.configuration.shutdownGraceSeconds
        applied.admin = current.configuration.admin
        let next = try DaemonRuntime.build(applied, environment: environment, logger: logger, previous: current)
        runtime.withLock { $0 = next }
        logger.notice("configuration reloaded: new endpoints, secrets and handlers apply to new requests and events", metadata: [
            "endpoints": configuration.effectiveEndpoints.map(\.path).joined(separator: ","),
            "handlers": configuration.handlers.map(\.name).joined(separator: ","),
        ])
        if !unapplied.isEmpty {
            logger.warning("changed settings that apply only after a restart were not applied: \(unapplied.joined(separator: ", "))")
        }
        logEndpoints()
        stripeMonitor.reloaded()
    }

    /// Reads a configuration with `load` and applies it; on any error logs it and keeps serving with
    /// the current one. Returns whether the new configuration is in effect.
    @discardableResult
    public func reload(loading load: () throws -> DaemonConfiguration) -> Bool {
        do {
            try reload(configuration: try load())
            return true
        } catch let error as ConfigurationError {
            logger.error("configuration reload refused; still serving with the previous configuration", metadata: ["error.message": error.message])
        } catch {
            logger.error("configuration reload refused; still serving with the previous configuration", metadata: ["error.message": "\(error)"])
        }
        return false
    }

    /// One line per endpoint naming its secrets' labels, so a secret roll can be followed in the log.
    private func logEndpoints() {
        let endpoints = runtime.withLock { $0.endpoints }
        for path in endpoints.keys.sorted() {
            logger.info("endpoint ready", metadata: ["endpoint": path, "secret.labels": endpoints[path]?.secretLabels.joined(separator: ",") ?? ""])
        }
    }

    /// The keys of settings a reload cannot change that differ between `old` and `new`.
    static func restartOnlyChanges(from old: DaemonConfiguration, to new: DaemonConfiguration) -> [String] {
        var changed: [String] = []
        if old.host != new.host { changed.append("host") }
        if old.port != new.port { changed.append("port") }
        if old.store != new.store { changed.append("store") }
        if old.eventLoops != new.eventLoops { changed.append("event_loops") }
        if old.workers != new.workers { changed.append("workers") }
        if old.limits != new.limits { changed.append("limits") }
        if old.logLevel != new.logLevel { changed.append("log_level") }
        if old.logFormat != new.logFormat { changed.append("log_format") }
        if old.shutdownGraceSeconds != new.shutdownGraceSeconds { changed.append("shutdown_grace_seconds") }
        if old.admin != new.admin { changed.append("admin") }
        return changed
    }

    /// Graceful stop within `shutdown_grace_seconds`: no new connections; in-flight requests finish (and
    /// their commits) while each worker finishes only the handler it is running, hands the rest of its
    /// claimed batch back to the queue and records its outcomes; then the store closes. Events not yet
    /// handled stay pending, unclaimed, for the next start. A handler still running at the deadline is
    /// abandoned: it dies with the process, and its event runs again at the next start.
    public func shutdown() {
        let grace = configuration.shutdownGraceSeconds
        let deadline = ContinuousClock.now + .seconds(grace)
        logger.notice("shutting down: finishing requests in flight and the handlers running now", metadata: ["grace_seconds": String(grace)])
        dispatcher.beginStop(deadline: deadline)
        server.shutdown(gracePeriod: .seconds(grace))
        adminServer?.shutdown(gracePeriod: min(.seconds(1), max(.zero, deadline - .now)))
        stripeMonitor.stop()
        if !dispatcher.stop(deadline: deadline) {
            logger.warning("handlers still running after shutdown_grace_seconds; they stop with the daemon and their events run again at the next start", metadata: [
                "grace_seconds": String(grace),
            ])
        }
        snapshot.stop()
        store.close()
        logger.notice("stopped")
    }
}
