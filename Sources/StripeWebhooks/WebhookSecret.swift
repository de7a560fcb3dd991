/// A webhook signing secret (`whsec_...`) that never shows its value when printed, logged or dumped.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The prefix Stripe puts on every endpoint and CLI signing secret.
    public static let standardPrefix = "whsec_"

    /// A name for logs and for ``VerifiedSignature/secretLabel`` (e.g. "live", "test", "cli"); never the value.
    public let label: String?

    /// The secret itself, for code inside this package that must hand it to another signer.
    package let revealedValue: String

    /// The HMAC key: the whole secret string as UTF-8, `whsec_` included, not base64-decoded (Stripe rule §2.5).
    let key: HMACSHA256.Key

    /// Wraps `value`, the secret exactly as Stripe shows it, with an optional `label` for logs.
    public init(_ value: String, label: String? = nil) {
        self.revealedValue = value
        self.label = label
        self.key = HMACSHA256.Key(value.utf8)
    }

    /// Whether the value starts with `whsec_`, as every secret Stripe issues does (a config sanity check).
    public var hasStandardPrefix: Bool {
        revealedValue.utf8.starts(with: Self.standardPrefix.utf8)
    }

    /// Whether the value is empty or only whitespace, which can only be a configuration mistake.
    public var isBlank: Bool {
        revealedValue.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// A redacted rendering: `whsec_…(redacted)`, with the label when there is one.
    public var description: String {
        let shown = hasStandardPrefix ? "\(Self.standardPrefix)…(redacted)" : "…(redacted)"
        guard let label else { return shown }
        return "\(shown) [\(label)]"
    }

    /// Same as ``description``: debug output never shows the secret either.
    public var debugDescription: String { "WebhookSecret(\(description))" }

    /// A mirror with the label only, so `dump(secret)` cannot reveal the value.
    public var customMirror: Mirror {
        Mirror(self, children: ["label": label as Any, "value": "(redacted)"], displayStyle: .struct)
    }
}
