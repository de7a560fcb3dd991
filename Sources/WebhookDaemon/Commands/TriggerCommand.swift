import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StripeWebhooks

/// `stripe-webhookd trigger`: posts a bundled sample event, signed, with a fresh event id, and prints
/// the answer. Like `stripe trigger`, but offline and straight at the daemon.
enum TriggerCommand {
    static let help = """
        stripe-webhookd trigger: post a signed sample Stripe event to the daemon and print its answer.

        USAGE
          stripe-webhookd trigger TYPE [--url URL] [--secret whsec_…] [--count N]
          stripe-webhookd trigger --list

        Every send carries a new event id (evt_…) and a Stripe-Signature made now, so the daemon treats
        it as a new event. The secret defaults to STRIPE_WEBHOOK_SECRET (its first item); the URL to
        http://127.0.0.1:4242/webhook.

        Thin samples (v2.core.event_destination.ping, v2.core.account.updated,
        v1.billing.meter.error_report_triggered) go to an endpoint with "payload": "thin", with that
        endpoint's secret: e.g. --url http://127.0.0.1:4242/webhook/thin --secret whsec_… (thin).

        OPTIONS
          --url URL      where to post (default http://127.0.0.1:4242/webhook)
          --secret S     the daemon's signing secret
          --count N      send N copies, each a new event (default 1)
          --list         print the event types there are samples for (snapshot, then thin)
          --timeout S    seconds to wait for each answer (default 10)

        EXIT CODES
          0 every answer was 2xx; 1 no answer (is the daemon running?); 2 usage; 3 a non-2xx answer

        """

    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        var scanner = ArgumentScanner(arguments, command: "trigger")
        var url = "http://127.0.0.1:4242/webhook"
        var secret: String?
        var count: Int64 = 1
        var timeout: Int64 = 10
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--list":
                try scanner.flag(option)
                console.out((SampleEvents.types + SampleEvents.thinTypes).joined(separator: "\n") + "\n")
                return .success
            case "--url": url = try scanner.value(for: option)
            case "--secret": secret = try scanner.value(for: option)
            case "--count": count = try scanner.integer(for: option, in: 1...1_000_000)
            case "--timeout": timeout = try scanner.integer(for: option, in: 1...600)
            default: throw scanner.unknown(option)
            }
        }
        guard scanner.positionals.count == 1, let type = scanner.positionals.first else {
            throw ConfigurationError("name one event type, e.g. 'stripe-webhookd trigger payment_intent.succeeded' ('--list' shows them)")
        }
        guard SampleEvents.all[type] != nil || SampleEvents.thin[type] != nil else {
            throw ConfigurationError("no sample for '\(type)'. Samples: \((SampleEvents.types + SampleEvents.thinTypes).joined(separator: ", "))")
        }
        guard let target = URL(string: url), let scheme = target.scheme, ["http", "https"].contains(scheme), target.host != nil else {
            throw ConfigurationError("--url \(url): expected an http:// or https:// URL")
        }
        let key = WebhookSecret(try secret ?? SignCommand.defaultSecret(environment, command: "trigger"))
        var worst = ExitCode.success
        for _ in 0..<count {
            let eventID = SampleEvents.freshEventID()
            let body = SampleEvents.payload(for: type, eventID: eventID)!
            let header = SignatureHeader.generate(payload: body, secret: key, timestamp: Int64(Date().timeIntervalSince1970))
            switch post(body, signature: header, to: target, timeout: TimeInterval(timeout)) {
            case .success(let (status, answer)):
                console.out("\(type) \(eventID) -> \(status) \(answer)\n")
                if !(200..<300).contains(status) { worst = .rejected }
            case .failure(let error):
                console.err("\(type) \(eventID) -> no answer from \(url): \(error.localizedDescription). Is the daemon running?\n")
                return .failure
            }
        }
        return worst
    }

    /// Posts one event the way Stripe does and waits for the status and body.
    static func post(_ body: [UInt8], signature: String, to url: URL, timeout: TimeInterval) -> Result<(Int, String), any Error> {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("Stripe/1.0 (+https://stripe.com/docs/webhooks)", forHTTPHeaderField: "User-Agent")
        request.setValue(signature, forHTTPHeaderField: "Stripe-Signature")
        let outcome = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                outcome.result = .failure(error)
            } else {
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                outcome.result = .success((status, String(decoding: data ?? Data(), as: UTF8.self)))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return outcome.result ?? .failure(URLError(.unknown))
    }

    /// Carries the answer out of URLSession's callback; the semaphore orders the accesses.
    private final class OutcomeBox: @unchecked Sendable {
        var result: Result<(Int, String), any Error>?
    }
}
