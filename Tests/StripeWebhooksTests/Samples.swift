import Foundation

/// The 20 bundled Stripe event payloads (Sources/WebhookDaemon/Samples), read as exact bytes.
enum Samples {
    /// The samples directory, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../Sources/WebhookDaemon/Samples")
        .standardizedFileURL

    /// Every sample's event type, which is also its file name without `.json`.
    static let names = [
        "balance.available", "charge.dispute.closed", "charge.dispute.created", "charge.refunded",
        "charge.succeeded", "checkout.session.completed", "customer.created", "customer.subscription.updated",
        "invoice.created", "invoice.finalized", "invoice.overdue", "invoice.paid", "invoice.payment_failed",
        "invoice.payment_succeeded", "invoice.upcoming", "payment_intent.created",
        "payment_intent.payment_failed", "payment_intent.succeeded", "payment_method.attached",
        "setup_intent.succeeded",
    ]

    /// The exact bytes of the sample named `name`.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).json")))
    }

    /// The three bundled thin events (Samples/Thin), by event type.
    static let thinNames = [
        "v1.billing.meter.error_report_triggered", "v2.core.account.updated", "v2.core.event_destination.ping",
    ]

    /// The exact bytes of the thin sample named `name`.
    static func thinBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent("Thin/\(name).json")))
    }
}

/// The spec's §2 test vectors (stripe-webhooks.md).
enum SpecVectors {
    /// `whsec_test_secret`.
    static let secret = "whsec_test_secret"
    /// The rolled secret of the vectors.
    static let rolledSecret = "whsec_test_secret_rolled_key"
    /// T.
    static let timestamp: Int64 = 1_700_000_000
    /// PB, the pretty-printed payload.
    static let payload = Array("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}".utf8)
    /// PB re-serialised compactly.
    static let compactPayload = Array("{\"id\":\"evt_test_webhook\",\"object\":\"event\"}".utf8)
    /// PU, the payload with non-ASCII characters.
    static let unicodePayload = Array(
        "{\"id\":\"evt_unicode\",\"object\":\"event\",\"data\":{\"object\":{\"name\":\"Zoë ☃\"}}}".utf8
    )
    /// G: the v1 for PB at T under `secret`.
    static let signature = "4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150"
    /// G2: the v1 for PB at T under `rolledSecret`.
    static let rolledSignature = "dc80d0334b78e0dbbc3d5352c151a428b746163b94ad381096bb293b9e650f1e"
    /// The v1 for PU at T under `secret`.
    static let unicodeSignature = "00b80180db422c9076cb7cef8d7646305374757f2db9cbe49b47915046bdc065"
}

/// A reproducible random number generator (SplitMix64), so randomised tests fail the same way twice.
struct SeededGenerator: RandomNumberGenerator {
    /// The state.
    private var state: UInt64

    /// Starts from `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
