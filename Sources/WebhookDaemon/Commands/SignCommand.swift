import Foundation
import StripeWebhooks
#if canImport(Glibc)
import Glibc
#endif

/// `stripe-webhookd sign`: prints the `Stripe-Signature` value Stripe would send for a payload.
enum SignCommand {
    static let help = """
        stripe-webhookd sign: print a Stripe-Signature header value for a payload.

        USAGE
          stripe-webhookd sign [--secret whsec_…] [--timestamp T] [FILE|-]

        Reads the payload from FILE, or standard input when FILE is - or absent (absent only when standard
        input is a pipe or a file, not a terminal), byte for byte, and prints
        t=T,v1=HMAC-SHA256(secret, "T." + payload) as Stripe computes it. The secret defaults to
        STRIPE_WEBHOOK_SECRET (its first item); T defaults to now (Unix seconds).

        EXAMPLE (from the repository's root, with the daemon running)
          curl -H "Stripe-Signature: $(stripe-webhookd sign Sources/WebhookDaemon/Samples/invoice.paid.json)" \\
               -H 'Content-Type: application/json' \\
               --data-binary @Sources/WebhookDaemon/Samples/invoice.paid.json http://127.0.0.1:4242/webhook

        """

    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        var scanner = ArgumentScanner(arguments, command: "sign")
        var secret: String?
        var timestamp = Int64(Date().timeIntervalSince1970)
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--secret": secret = try scanner.value(for: option)
            case "--timestamp": timestamp = try scanner.integer(for: option, in: 0...9_999_999_999)
            default: throw scanner.unknown(option)
            }
        }
        guard scanner.positionals.count <= 1 else {
            throw ConfigurationError("give one payload file (or - for standard input); see 'stripe-webhookd sign --help'")
        }
        let key = try secret ?? defaultSecret(environment, command: "sign")
        let standardInputIsTerminal = isatty(STDIN_FILENO) == 1
        guard !scanner.positionals.isEmpty || !standardInputIsTerminal else {
            // Waiting silently for a payload nobody is typing looks like a hang.
            throw ConfigurationError("""
                no payload: give a file to sign (e.g. Sources/WebhookDaemon/Samples/invoice.paid.json), pipe one \
                in, or give - to type it on standard input; see 'stripe-webhookd sign --help'
                """)
        }
        if scanner.positionals.first == "-", standardInputIsTerminal {
            console.err("stripe-webhookd sign: reading the payload from standard input; end it with Ctrl-D\n")
        }
        let payload = try readPayload(scanner.positionals.first ?? "-")
        console.out(SignatureHeader.generate(payload: payload, secret: WebhookSecret(key), timestamp: timestamp) + "\n")
        return .success
    }

    /// The first secret of STRIPE_WEBHOOK_SECRET, or an error that says how to give one.
    static func defaultSecret(_ environment: [String: String], command: String) throws(ConfigurationError) -> String {
        let first = (environment["STRIPE_WEBHOOK_SECRET"] ?? "").split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first, !first.isEmpty else {
            throw ConfigurationError("no secret: pass --secret whsec_… or set STRIPE_WEBHOOK_SECRET (the daemon's secret)")
        }
        return first
    }

    /// Reads a whole file, or standard input for `-`.
    static func readPayload(_ path: String) throws(ConfigurationError) -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(path)")
        }
        return Array(data)
    }
}
