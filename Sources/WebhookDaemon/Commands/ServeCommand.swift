import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// `stripe-webhookd serve`: runs the daemon until SIGTERM or SIGINT; SIGHUP reloads the configuration.
enum ServeCommand {
    static let help = """
        stripe-webhookd serve: receive Stripe webhooks (the default command).

        USAGE
          stripe-webhookd [serve] [--config FILE] [--host H] [--port P] [--path /webhook]
                          [--secret whsec_… ...] [--tolerance SECONDS] [--store sqlite:PATH|memory]
                          [--log-level LEVEL] [--log-format text|json] [--workers N] [--event-loops N]
                          [--admin-host H] [--admin-port P]

        OPTIONS
          --config FILE         JSON config file (see config.example.json); flags override it
          --host H              listen address (default 127.0.0.1; keep it behind your HTTPS proxy)
          --port P              TCP port (default 4242; 0 picks a free one)
          --path P              webhook path (default /webhook)
          --secret S            signing secret whsec_…; repeat for several (test + live, or a secret roll).
                                Also STRIPE_WEBHOOK_SECRET (comma-separated), or "secrets" in the config
                                file, as env:NAME, file:PATH or the value. Precedence: flags, then the
                                environment variable, then the config file.
          --tolerance SECONDS   accepted age (and future skew) of the signature timestamp (default 300)
          --disable-timestamp-check   accept any timestamp (replay protection off; testing only)
          --store URL           sqlite:PATH (default sqlite:stripe-webhookd.sqlite) or memory (loses events)
          --log-level LEVEL     trace, debug, info (default), notice, warning, error, critical
          --log-format FORMAT   text or json (default: text on a terminal, json otherwise)
          --workers N           handler threads (default 4)
          --event-loops N       HTTP threads (default: one per core)
          --admin-port P        serve /healthz, /readyz, /metrics and the events console (at /) on
                                their own listener (default: none; the health paths and /metrics are
                                then on the main one and the console is off: the webhook listener
                                never serves it; the shipped nginx site passes only /webhook)
          --admin-host H        the admin listener's address (default 127.0.0.1; any other address
                                needs admin.auth in the config file: see README Console)
          -h, --help            this help

        SIGNALS
          SIGTERM, SIGINT   graceful stop within shutdown_grace_seconds (default 10): finish requests in
                            flight and their commits and the handlers running now, return the other
                            claimed events to the queue, exit 0. A handler still running at the
                            deadline dies with the daemon and runs again at the next start.
                            A second signal exits at once.
          SIGHUP            re-read the config file (and file: secrets) with the same flags and
                            environment; new endpoints, secrets and handlers apply to new requests and
                            events, open connections stay open. An invalid config is refused with a
                            log line and the old one stays. host, port, store, workers, event_loops,
                            limits and logging change only on restart.

        OPERATIONS
          GET /healthz  200 while the process serves
          GET /readyz   200 when the store takes writes, the workers run and no event has waited for its
                        handlers longer than readiness.max_pending_age_seconds (300); else 503 with reasons
          GET /metrics  Prometheus text format (requests, signature failures, events, handlers, store)
          Behind a proxy, set trusted_proxies so that client.ip comes from X-Forwarded-For; optional
          allowed_source_ips answers 403 to other clients (see the README for Stripe's addresses).

        Handlers (commands, forwards), endpoints and secret rotation: see config.example.json and the
        README. `stripe-webhookd check-config --config FILE` validates a file before you reload.

        WHERE TO GET A SECRET
          local development: `stripe listen --forward-to http://localhost:4242/webhook` prints it
          (or `stripe listen --print-secret`); production: Dashboard → Developers → Webhooks → endpoint.

        """

    /// Parses flags over the config file and the environment.
    static func configuration(_ arguments: [String], environment: [String: String]) throws(ConfigurationError) -> DaemonConfiguration? {
        var scanner = ArgumentScanner(arguments, command: "serve")
        var flags: [(ArgumentScanner.Option, String?)] = []
        var configFile: String?
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                return nil
            case "--config":
                configFile = try scanner.value(for: option)
            case "--disable-timestamp-check":
                try scanner.flag(option)
                flags.append((option, nil))
            case "--host", "--port", "--path", "--secret", "--tolerance", "--store", "--log-level", "--log-format", "--workers", "--event-loops", "--admin-host", "--admin-port":
                flags.append((option, try scanner.value(for: option)))
            default:
                throw scanner.unknown(option)
            }
        }
        if let extra = scanner.positionals.first {
            throw ConfigurationError("unexpected argument '\(extra)'; see 'stripe-webhookd serve --help'")
        }
        var configuration = DaemonConfiguration()
        // Every mistake of the file, the flags and the machine is collected, then reported at once.
        let issues = ConfigurationIssues()
        if let configFile { try configuration.apply(configFile: configFile, issues: issues) }
        let hasEndpoints = !configuration.endpoints.isEmpty
        if hasEndpoints, let flag = flags.first(where: { ["--path", "--secret"].contains($0.0.name) }) {
            throw ConfigurationError("\(flag.0.name): the config file lists endpoints, each with its own path and secrets; set them there")
        }
        // With endpoints, STRIPE_WEBHOOK_SECRET is read only where an endpoint names it (env:STRIPE_WEBHOOK_SECRET).
        if !hasEndpoints, let list = environment["STRIPE_WEBHOOK_SECRET"], !list.trimmingCharacters(in: .whitespaces).isEmpty {
            let count = list.split(separator: ",").count
            configuration.secrets = (0..<count).map { SecretReference(source: .environmentItem("STRIPE_WEBHOOK_SECRET", index: $0)) }
        }
        var flagSecrets: [SecretReference] = []
        for (option, value) in flags {
            let value = value ?? ""
            func integer(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
                guard let number = Int(value), range.contains(number) else {
                    throw ConfigurationError("\(option.name) \(value): expected a whole number in \(range.lowerBound)…\(range.upperBound)")
                }
                return number
            }
            switch option.name {
            case "--host": configuration.host = value
            case "--port": configuration.port = try integer(0...65535)
            case "--path": configuration.path = value
            case "--secret": flagSecrets.append(SecretReference(source: .commandLine(value)))
            case "--tolerance": configuration.toleranceSeconds = Int64(try integer(1...Int(Int32.max)))
            case "--disable-timestamp-check": configuration.disableTimestampCheck = true
            case "--store": configuration.store = value
            case "--log-level": configuration.logLevel = try CommandLineInterface.logLevel(value)
            case "--log-format":
                guard let format = LogSink.Format(rawValue: value) else { throw ConfigurationError("--log-format \(value): expected text or json") }
                configuration.logFormat = format
            case "--workers": configuration.workers = try integer(1...256)
            case "--event-loops": configuration.eventLoops = try integer(1...64)
            case "--admin-host": configuration.admin.host = value
            case "--admin-port": configuration.admin.port = try integer(0...65535)
            default: break
            }
        }
        if !flagSecrets.isEmpty { configuration.secrets = flagSecrets }
        configuration.validate(into: issues)
        configuration.checkEnvironment(environment, into: issues)
        // Shown with the errors when there are any; otherwise the runtime logs them as it builds.
        for warning in configuration.eventTypeWarnings() { issues.warn(warning) }
        if let error = issues.combinedError { throw error }
        return configuration
    }

    /// The signals `serve` handles: stop (SIGTERM, SIGINT) and reload (SIGHUP).
    static let watchedSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Runs the daemon in the foreground until a signal stops it.
    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        guard let configuration = try configuration(arguments, environment: environment) else {
            console.out(help)
            return .success
        }
        // Before any thread exists, so that every thread inherits the mask (see ProcessSignals).
        let sigchldWasIgnored = ProcessSignals.isIgnored(SIGCHLD)
        ProcessSignals.prepareForDaemon(watching: watchedSignals)
        let format = configuration.logFormat ?? (isatty(STDERR_FILENO) == 1 ? .text : .json)
        let logger = Logger(label: "webhookd", level: configuration.logLevel, sink: .standardError(format: format))
        if sigchldWasIgnored {
            logger.notice("SIGCHLD was ignored by whatever started the daemon; reset to its default so that commands can be waited for")
        }
        let application = try WebhookApplication(configuration: configuration, environment: environment, logger: logger)
        do {
            try application.start()
        } catch {
            logger.critical("could not start: \(error)")
            application.shutdown()
            return .failure
        }
        let stop = DispatchSemaphore(value: 0)
        let signals = LockedValue(0)
        let watcher = SignalWatcher(signals: watchedSignals) { number in
            if number == SIGHUP {
                // The watcher's own serial queue: reloads never overlap, and never run on the cooperative pool.
                logger.notice("SIGHUP received; reloading the configuration")
                application.reload {
                    guard let next = try ServeCommand.configuration(arguments, environment: environment) else {
                        throw ConfigurationError("no configuration to reload")
                    }
                    return next
                }
                return
            }
            let count = signals.withLock { $0 += 1; return $0 }
            if count == 1 {
                logger.notice("\(SignalWatcher.name(of: number)) received; stopping gracefully (send it again to exit at once)")
                stop.signal()
            } else {
                logger.warning("\(SignalWatcher.name(of: number)) received again; exiting now. Unhandled events stay pending.")
                exit(1)
            }
        }
        stop.wait()
        application.shutdown()
        watcher.cancel()
        return .success
    }
}

extension SecretReference {
    /// A reference with no label.
    init(source: Source) {
        self.init(parsing: "")
        self.source = source
    }
}
