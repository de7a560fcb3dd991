import Foundation
import WebhookSupport

/// Entry point of the `stripe-webhookd` command: picks the subcommand and runs it.
public enum CommandLineInterface {
    /// Runs the command line `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], environment: [String: String], console: Console = .standard) -> ExitCode {
        var arguments = arguments
        switch arguments.first {
        case "-h", "--help": return help(for: nil, console: console)
        case "-V", "--version":
            console.out("stripe-webhookd \(Version.current)\n")
            return .success
        default: break
        }
        let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "serve"
        if arguments.first == command { arguments.removeFirst() }
        do {
            switch command {
            case "serve":
                return try ServeCommand.run(arguments, environment: environment, console: console)
            case "sign":
                return try SignCommand.run(arguments, environment: environment, console: console)
            case "trigger":
                return try TriggerCommand.run(arguments, environment: environment, console: console)
            case "events":
                return try EventsCommand.run(arguments, environment: environment, console: console)
            case "check-config":
                return try CheckConfigCommand.run(arguments, environment: environment, console: console)
            case "hash-password":
                return try HashPasswordCommand.run(arguments, environment: environment, console: console)
            case "help":
                return help(for: arguments.first, console: console)
            case "version":
                console.out("stripe-webhookd \(Version.current)\n")
                return .success
            default:
                console.err("stripe-webhookd: unknown command '\(command)'. Commands: serve, sign, trigger, events, check-config, hash-password, help, version. See 'stripe-webhookd --help'.\n")
                return .usage
            }
        } catch let error as ConfigurationError {
            console.err("stripe-webhookd \(command): \(error.message)\n")
            return .usage
        } catch {
            console.err("stripe-webhookd \(command): \(error)\n")
            return .failure
        }
    }

    /// Prints a command's help, or the overview.
    static func help(for command: String?, console: Console) -> ExitCode {
        switch command {
        case "serve": console.out(ServeCommand.help)
        case "sign": console.out(SignCommand.help)
        case "trigger": console.out(TriggerCommand.help)
        case "events": console.out(EventsCommand.help)
        case "check-config": console.out(CheckConfigCommand.help)
        case "hash-password": console.out(HashPasswordCommand.help)
        case nil: console.out(overview)
        default:
            console.err("stripe-webhookd help: no command '\(command!)'\n")
            return .usage
        }
        return .success
    }

    /// The top-level `--help` text.
    static let overview = """
        stripe-webhookd \(Version.current): a Stripe webhook receiver that verifies every signature, stores each
        event durably before answering 200, and runs handlers for it exactly once per event id.

        USAGE
          stripe-webhookd [serve] [OPTIONS]          run the daemon (the default command)
          stripe-webhookd sign --secret S [FILE|-]   print a Stripe-Signature header for a payload
          stripe-webhookd trigger TYPE [--url U]     post a signed sample event, like `stripe trigger`, offline
          stripe-webhookd events list|show|replay|prune|backup   inspect, requeue and back up stored events
          stripe-webhookd events backfill --since 3d      store events deliveries missed, from Stripe's Events API
          stripe-webhookd check-config [--config FILE]    validate a configuration, print it redacted
          stripe-webhookd hash-password < FILE       a password hash for the console's admin.auth.users
          stripe-webhookd help COMMAND | COMMAND --help
          stripe-webhookd --version

        QUICK START
          export STRIPE_WEBHOOK_SECRET=$(stripe listen --print-secret)   # or any whsec_… for offline tests
          stripe-webhookd                                  # listens on http://127.0.0.1:4242/webhook
          stripe-webhookd trigger payment_intent.succeeded # in another terminal

        SIGNALS
          SIGTERM/SIGINT stop gracefully; SIGHUP reloads the configuration (see serve --help).

        EXIT CODES
          0  success (trigger: the daemon answered 2xx)
          1  runtime failure (port in use, store cannot be opened, no answer)
          2  usage or configuration error (unknown option or key, no signing secret)
          3  trigger: the daemon answered, but not with 2xx

        """

    /// Parses `--log-level`.
    static func logLevel(_ text: String) throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(name: text) else {
            throw ConfigurationError("--log-level \(text): expected one of \(DaemonConfiguration.levelNames)")
        }
        return level
    }
}
