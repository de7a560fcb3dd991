import EventStore
import Foundation
import StripeWebhooks
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

extension DaemonRuntime {
    /// Validates `configuration`, reads every secret and referenced value, finds every program, and
    /// builds endpoints and handlers. Warnings (a literal secret, one without `whsec_`) go to `logger`.
    /// Handlers whose `max_concurrency` is unchanged keep `previous`'s limiter, so that runs in flight
    /// across a reload still count.
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - environment: where `env:` references are read from.
    ///   - logger: receives warnings.
    ///   - previous: the runtime being replaced, if any.
    ///   - commands: where commands record their process groups; `nil` keeps `previous`'s.
    static func build(
        _ configuration: DaemonConfiguration, environment: [String: String], logger: Logger, previous: DaemonRuntime?,
        commands: RunningCommands? = nil
    ) throws(ConfigurationError) -> DaemonRuntime {
        let commands = commands ?? previous?.commands
        try configuration.validate()
        // The Stripe API key must resolve now (a missing variable or file refuses the start or reload).
        if configuration.stripe.apiKey != nil { _ = try configuration.stripe.apiOptions(environment: environment) }
        var endpoints: [String: WebhookEndpoint] = [:]
        for (index, settings) in configuration.effectiveEndpoints.enumerated() {
            let endpoint = try Self.endpoint(settings, index: index, in: configuration, environment: environment, logger: logger)
            endpoints[endpoint.path] = endpoint
        }
        var router = EventRouter()
        do {
            try BuiltinHandlers.register(on: &router, logger: logger)
        } catch {
            throw ConfigurationError("built-in handlers: \(error)")
        }
        var handlers: [ConfiguredHandler] = []
        let fetcher = try Self.thinEventFetcher(configuration, environment: environment)
        for (index, settings) in configuration.handlers.enumerated() {
            let handler = try Self.handler(
                settings, key: "handlers[\(index)]", environment: environment, logger: logger,
                previous: previous?.handlers.first { $0.name == settings.name }, commands: commands, fetcher: fetcher
            )
            router.register(handler, for: handler.patterns)
            handlers.append(handler)
        }
        for warning in configuration.eventTypeWarnings() { logger.warning(warning) }
        if environment["STRIPE_WEBHOOK_SECRET"] != nil, !configuration.endpoints.isEmpty,
           !configuration.endpoints.contains(where: { $0.secrets.contains { $0.source == .environment("STRIPE_WEBHOOK_SECRET") } }) {
            logger.warning("STRIPE_WEBHOOK_SECRET is set but no endpoint uses it; with \"endpoints\", reference it as env:STRIPE_WEBHOOK_SECRET where it belongs")
        }
        return DaemonRuntime(
            configuration: configuration, endpoints: endpoints, router: router,
            retry: retryPolicy(configuration.retry), handlers: handlers, sourcePolicy: try SourcePolicy(configuration),
            commands: commands
        )
    }

    /// One endpoint with its secrets read and its verifier built.
    private static func endpoint(
        _ settings: EndpointConfiguration, index: Int, in configuration: DaemonConfiguration, environment: [String: String], logger: Logger
    ) throws(ConfigurationError) -> WebhookEndpoint {
        let several = configuration.endpoints.count > 1
        let place = configuration.endpoints.isEmpty ? "" : "endpoints[\(index)] (\(settings.path)): "
        guard !settings.secrets.isEmpty else { throw ConfigurationError(WebhookApplication.noSecretMessage) }
        var secrets: [WebhookSecret] = []
        for (position, reference) in settings.secrets.enumerated() {
            let value: String
            do {
                value = try reference.resolve(environment: environment)
            } catch {
                throw ConfigurationError(place + error.message)
            }
            // Without labels, two endpoints' secrets would read alike in the event record.
            let label = reference.label ?? (several ? "\(settings.path) \(reference.displayLabel(index: position))" : reference.displayLabel(index: position))
            if !value.hasPrefix(WebhookSecret.standardPrefix) {
                logger.warning("a signing secret does not start with whsec_; Stripe's endpoint secrets do", metadata: ["secret.label": label, "endpoint": settings.path])
            }
            if reference.isLiteral {
                logger.warning("a signing secret is written in the configuration; prefer env:NAME or file:PATH", metadata: ["secret.label": label, "endpoint": settings.path])
            }
            secrets.append(WebhookSecret(value, label: label))
        }
        if Set(secrets.compactMap(\.label)).count < secrets.count {
            logger.warning("two secrets of one endpoint share a label; the event record cannot tell them apart", metadata: ["endpoint": settings.path])
        }
        let tolerance: SignatureTolerance
        if configuration.disableTimestampCheck {
            logger.critical("the signature timestamp check is OFF: captured requests can be replayed forever. Use only for testing.", metadata: ["endpoint": settings.path])
            tolerance = .disabled
        } else {
            tolerance = .seconds(settings.toleranceSeconds ?? configuration.toleranceSeconds)
        }
        do {
            let verifier = try SignatureVerifier(secrets: secrets, tolerance: tolerance)
            return WebhookEndpoint(path: settings.path, verifier: verifier, secretLabels: secrets.compactMap(\.label), payload: settings.payload)
        } catch {
            throw ConfigurationError(place + "\(error)")
        }
    }

    /// One configured handler with its values read and its program found.
    private static func handler(
        _ settings: HandlerConfiguration, key: String, environment: [String: String], logger: Logger, previous: ConfiguredHandler?,
        commands: RunningCommands?, fetcher: (any ThinEventFetcher)? = nil
    ) throws(ConfigurationError) -> ConfiguredHandler {
        let patterns = try DaemonConfiguration.patterns(settings.events, key: "\(key).events")
        var action: any HandlerAction
        switch settings.action {
        case .command(let command):
            let executable = try Self.executable(command.argv[0], workingDirectory: command.workingDirectory, environment: environment, key: "\(key).command[0]")
            var variables: [String: String] = [:]
            for (name, reference) in command.environment {
                variables[name] = try reference.resolve(environment: environment, key: "\(key).environment.\(name)")
            }
            action = CommandAction(
                executable: executable, arguments: command.argv, environment: variables, workingDirectory: command.workingDirectory,
                timeout: settings.timeoutSeconds, killGrace: settings.killGraceSeconds, commands: commands
            )
        case .forward(let forward):
            guard let url = URL(string: forward.url) else { throw ConfigurationError("\(key).forward.url: not a URL") }
            var headers: [String: String] = [:]
            for (name, reference) in forward.headers {
                headers[name] = try reference.resolve(environment: environment, key: "\(key).forward.headers.\(name)")
            }
            var secret: WebhookSecret?
            if let reference = forward.signingSecret {
                do {
                    secret = WebhookSecret(try reference.resolve(environment: environment), label: reference.label)
                } catch {
                    throw ConfigurationError("\(key).forward.signing_secret: \(error.message)")
                }
                if reference.isLiteral {
                    logger.warning("a forward signing secret is written in the configuration; prefer env:NAME or file:PATH", metadata: ["handler": settings.name])
                }
            }
            action = ForwardAction(url: url, headers: headers, signingSecret: secret, timeout: settings.timeoutSeconds)
        }
        if let mode = settings.fetch, let fetcher { action = FetchingAction(mode: mode, fetcher: fetcher, action: action) }
        let limiter = previous.flatMap { $0.limiter.limit == settings.maxConcurrency ? $0.limiter : nil }
            ?? ConcurrencyLimiter(limit: settings.maxConcurrency)
        return ConfiguredHandler(
            name: settings.name, patterns: patterns, action: action, maxAttempts: settings.maxAttempts,
            dedupeKey: settings.dedupeKey.isEmpty ? nil : DedupeKey(paths: settings.dedupeKey), limiter: limiter,
            skipStale: settings.skipStale
        )
    }

    /// The absolute path of a command's program: as given when it holds a `/` (relative ones against
    /// the working directory), else the first match in the daemon's `PATH`.
    static func executable(_ program: String, workingDirectory: String?, environment: [String: String], key: String) throws(ConfigurationError) -> String {
        if program.contains("/") {
            let base = workingDirectory ?? FileManager.default.currentDirectoryPath
            let path = program.hasPrefix("/") ? program : base + "/" + program
            guard isExecutableFile(path) else {
                throw ConfigurationError("\(key): \(path) is not an executable file (check the path and its x permission)")
            }
            return path
        }
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if isExecutableFile(candidate) { return candidate }
        }
        throw ConfigurationError("\(key): \"\(program)\" was not found in the daemon's PATH (\(searchPath)); give an absolute path")
    }

    /// Whether `path` is a regular file this user may execute.
    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
