import Testing
@testable import StripeWebhooks

/// No failure ever discloses the expected signature or a secret.
struct SignatureVerificationErrorTests {
    static let secret = "whsec_Q7vN2kLp9XrT4mYb8cWd3fHs"
    static let t = SpecVectors.timestamp
    static let expected = HexEncoding.encode(
        HMACSHA256.authenticationCode(key: Array(secret.utf8), message: Array("\(t).".utf8) + SpecVectors.payload)
    )

    /// A header that fails for the given reason, the signature in it being the real one where possible.
    struct Failure: Sendable, CustomTestStringConvertible {
        let reason: SignatureVerificationError.Reason
        let header: String?
        let now: Int64
        var testDescription: String { reason.rawValue }
    }

    static let failures: [Failure] = [
        Failure(reason: .missingHeader, header: nil, now: t),
        Failure(reason: .missingHeader, header: " ", now: t),
        Failure(reason: .malformedHeader, header: "v1=\(expected)", now: t),
        Failure(reason: .malformedHeader, header: "t=x\(expected),v1=\(expected)", now: t),
        Failure(reason: .noV1Signature, header: "t=\(t),v0=\(expected)", now: t),
        Failure(reason: .signatureMismatch, header: "t=\(t),v1=\(String(repeating: "0", count: 64))", now: t),
        Failure(reason: .timestampOutOfTolerance, header: "t=\(t),v1=\(expected)", now: t + 301),
        Failure(reason: .timestampOutOfTolerance, header: "t=\(t),v1=\(expected)", now: t - 301),
    ]

    @Test(arguments: failures)
    func failure_neverDisclosesSignatureOrSecret(_ failure: Failure) throws {
        let now = failure.now
        let verifier = try SignatureVerifier(secrets: [WebhookSecret(Self.secret, label: "live")], clock: { now })
        do {
            _ = try verifier.verify(payload: SpecVectors.payload, header: failure.header)
            Issue.record("verified, expected \(failure.reason)")
        } catch {
            #expect(error.reason == failure.reason)
            #expect(!error.message.isEmpty)
            for text in [error.message, error.description, String(reflecting: error), "\(error)"] {
                #expect(!text.lowercased().contains(Self.expected), "expected signature leaked: \(text)")
                #expect(!text.contains(Self.secret.dropFirst(6)), "secret leaked: \(text)")
                #expect(text.contains(error.message) || text == error.message)
            }
            #expect(error.description.contains(failure.reason.rawValue))
        }
    }

    @Test func reasons_haveStableStrings() {
        #expect(
            [SignatureVerificationError.Reason.missingHeader, .malformedHeader, .noV1Signature,
             .signatureMismatch, .timestampOutOfTolerance].map(\.rawValue)
                == ["missing_header", "malformed_header", "no_v1_signature", "signature_mismatch",
                    "timestamp_out_of_tolerance"]
        )
    }
}
