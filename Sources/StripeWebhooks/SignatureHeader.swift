/// Builds `Stripe-Signature` header values, as Stripe does when it sends an event (Stripe rule §2).
public enum SignatureHeader {
    /// The header's name.
    public static let name = "Stripe-Signature"

    /// Signs `payload` at `timestamp` with `secret`: `t=<timestamp>,v1=<lowercase hex HMAC-SHA256>`.
    ///
    /// `timestamp` should be non-negative Unix seconds; a negative one yields a header that
    /// ``SignatureVerifier`` rejects as malformed.
    public static func generate(payload: [UInt8], secret: WebhookSecret, timestamp: Int64) -> String {
        generate(payload: payload, secrets: [secret], timestamp: timestamp)
    }

    /// Signs `payload` with a secret given as a plain string (the CLI `sign` command's input).
    public static func generate(payload: [UInt8], secret: String, timestamp: Int64) -> String {
        generate(payload: payload, secrets: [WebhookSecret(secret)], timestamp: timestamp)
    }

    /// Signs `payload` once per secret, one `v1` item each, as Stripe does during a secret roll (Stripe rule §2.8).
    public static func generate(payload: [UInt8], secrets: [WebhookSecret], timestamp: Int64) -> String {
        let prefix = Array("\(timestamp).".utf8)
        var header = "t=\(timestamp)"
        for secret in secrets {
            header += ",v1="
            header += HexEncoding.encode(secret.key.authenticationCode(prefix: prefix, message: payload))
        }
        return header
    }
}
