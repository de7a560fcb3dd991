import Testing
@testable import StripeWebhooks

/// A secret never shows its value.
struct WebhookSecretTests {
    static let value = "whsec_Zk9yVq3sLm2QpX8tW4nB7cR1"

    /// Every way a value commonly ends up in a log line.
    static func renderings(of secret: WebhookSecret) -> [String] {
        var dumped = ""
        dump(secret, to: &dumped)
        return [
            "\(secret)", String(describing: secret), String(reflecting: secret), secret.description,
            secret.debugDescription, dumped, "\([secret])", String(describing: Optional(secret)),
        ]
    }

    @Test(arguments: [nil, "live"] as [String?])
    func printing_neverRevealsTheValue(label: String?) {
        let secret = WebhookSecret(Self.value, label: label)
        for rendering in Self.renderings(of: secret) {
            #expect(!rendering.contains("Zk9yVq3s"), "leaked in: \(rendering)")
            #expect(rendering.contains("redacted"), "no redaction marker in: \(rendering)")
            if let label {
                #expect(rendering.contains(label), "label missing from: \(rendering)")
            }
        }
    }

    @Test func label_andValueAreKept() {
        let secret = WebhookSecret(Self.value, label: "cli")
        #expect(secret.label == "cli")
        #expect(secret.revealedValue == Self.value)
        #expect(secret.hasStandardPrefix)
        #expect(!WebhookSecret("plain").hasStandardPrefix)
    }

    @Test(arguments: ["", " ", "\t\n"])
    func blankValues_areBlank(_ value: String) {
        #expect(WebhookSecret(value).isBlank)
    }
}
