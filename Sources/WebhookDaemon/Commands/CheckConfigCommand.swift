import EventStore
import Foundation
import WebhookSupport

/// `stripe-webhookd check-config`: validates a configuration as the daemon would load it (every
/// secret and referenced value read, every handler program found) and prints it with secrets redacted.
enum CheckConfigCommand {
    static let help = """
        stripe-webhookd check-config: validate a configuration and print it, every secret redacted.

        USAGE
          stripe-webhookd check-config [--config FILE] [--online] [serve options]

        Reads the configuration exactly as `serve` with the same arguments and environment would:
        the file, then STRIPE_WEBHOOK_SECRET, then flags. Checks every key and value, reads every
        env: and file: reference, finds every handler's program and working directory, checks that
        the store's directory exists and is writable, then prints the effective configuration as
        JSON on standard output (secrets, header values and variables shown as env:NAME, file:PATH
        or redacted; never their values). Every error is reported in one run, each with its JSON
        path (handlers[2].command); invalid JSON is reported with its line and column. Warnings
        (such as an event type Stripe does not have, with the closest real one) go to standard
        error. Run it before sending the daemon SIGHUP: a configuration it refuses, a reload and a
        start refuse too.

        --online also asks Stripe's API (with stripe.api_key): that the key works and may read Events
        (401 and 403 name the cause), that each webhook_endpoint_id exists, is enabled and is in the
        key's mode, and that every handler matches an event type its endpoints are sent.

        EXIT CODES
          0 valid; 2 invalid (each message names the key and says what is expected), or an --online check failed

        """

    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        if arguments.contains("-h") || arguments.contains("--help") {
            console.out(help)
            return .success
        }
        let online = arguments.contains("--online")
        guard let configuration = try ServeCommand.configuration(arguments.filter { $0 != "--online" }, environment: environment) else {
            console.out(help)
            return .success
        }
        do {
            _ = try StoreLocation(parsing: configuration.store)
        } catch {
            throw ConfigurationError("store: \(error.message)")
        }
        let warnings = Logger(label: "check-config", level: .warning, sink: LogSink(format: .text) { console.err($0) })
        let runtime = try DaemonRuntime.build(configuration, environment: environment, logger: warnings, previous: nil)
        console.out(PrettyJSON.render(configuration.rendered()))
        console.err("configuration OK: \(runtime.endpoints.count) endpoint\(runtime.endpoints.count == 1 ? "" : "s"), \(runtime.handlers.count) handler\(runtime.handlers.count == 1 ? "" : "s")\n")
        if online, !(try StripeOnlineCheck.run(configuration, environment: environment, console: console)) { return .usage }
        return .success
    }
}
