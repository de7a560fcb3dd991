import Testing
@testable import StripeWebhooks

/// Building `Stripe-Signature` values.
struct SignatureHeaderTests {
    static let t = SpecVectors.timestamp

    @Test func generate_producesTheSpecHeader() {
        let header = SignatureHeader.generate(payload: SpecVectors.payload, secret: SpecVectors.secret, timestamp: Self.t)
        #expect(header == "t=1700000000,v1=\(SpecVectors.signature)")
        let fromSecret = SignatureHeader.generate(
            payload: SpecVectors.unicodePayload, secret: WebhookSecret(SpecVectors.secret), timestamp: Self.t
        )
        #expect(fromSecret == "t=1700000000,v1=\(SpecVectors.unicodeSignature)")
    }

    @Test func generate_withSeveralSecrets_signsOncePerSecret() throws {
        let header = SignatureHeader.generate(
            payload: SpecVectors.payload,
            secrets: [WebhookSecret(SpecVectors.rolledSecret), WebhookSecret(SpecVectors.secret)],
            timestamp: Self.t
        )
        #expect(header == "t=1700000000,v1=\(SpecVectors.rolledSignature),v1=\(SpecVectors.signature)")
    }

    @Test(arguments: Samples.names)
    func generated_headersVerify(_ name: String) throws {
        let body = try Samples.bytes(name)
        let now: Int64 = 1_785_859_320
        let header = SignatureHeader.generate(payload: body, secret: "whsec_sample", timestamp: now)
        let verifier = try SignatureVerifier(secrets: [WebhookSecret("whsec_sample")], clock: { now })
        #expect(try verifier.verify(payload: body, header: header).timestamp == now)
    }
}
