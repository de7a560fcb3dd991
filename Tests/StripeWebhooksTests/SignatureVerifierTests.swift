import Testing
@testable import StripeWebhooks

/// The verifier against every vector of stripe-webhooks.md §2, plus edges.
struct SignatureVerifierTests {
    typealias Reason = SignatureVerificationError.Reason

    /// One verification: a header, a payload, the secrets and clock, and the verdict expected.
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let header: String?
        var payload: [UInt8] = SpecVectors.payload
        var secrets: [String] = [SpecVectors.secret]
        var now: Int64 = SpecVectors.timestamp + 100
        var tolerance: SignatureTolerance = .seconds(300)
        /// nil means accept.
        let rejection: Reason?
        var testDescription: String { name }
    }

    static let t = SpecVectors.timestamp
    static let g = SpecVectors.signature
    static let g2 = SpecVectors.rolledSignature

    static let vectors: [Vector] = [
        // The §2 table, row by row.
        Vector(name: "t=T,v1=G", header: "t=\(t),v1=\(g)", rejection: nil),
        Vector(name: "v0 alongside v1", header: "t=\(t),v1=\(g),v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39", rejection: nil),
        Vector(name: "rolled and current v1", header: "t=\(t),v1=\(g2),v1=\(g)", rejection: nil),
        Vector(name: "rolled and current v1, rolled secret", header: "t=\(t),v1=\(g2),v1=\(g)", secrets: [SpecVectors.rolledSecret], rejection: nil),
        Vector(name: "good then bad v1", header: "t=\(t),v1=\(g),v1=bad_signature", rejection: nil),
        Vector(name: "v0 only", header: "t=\(t),v0=\(g)", rejection: .noV1Signature),
        Vector(name: "bad v1 only", header: "t=\(t),v1=bad_signature", rejection: .signatureMismatch),
        Vector(name: "other secret", header: "t=\(t),v1=\(g)", secrets: ["whsec_other"], rejection: .signatureMismatch),
        Vector(name: "re-serialised body", header: "t=\(t),v1=\(g)", payload: SpecVectors.compactPayload, rejection: .signatureMismatch),
        Vector(name: "no t", header: "v1=\(g)", rejection: .malformedHeader),
        Vector(name: "t=abc", header: "t=abc,v1=\(g)", rejection: .malformedHeader),
        Vector(name: "t with trailing letters", header: "t=1700000000abc,v1=\(g)", rejection: .malformedHeader),
        Vector(name: "space after comma", header: "t=\(t), v1=\(g)", rejection: nil),
        Vector(name: "uppercase hex", header: "t=\(t),v1=\(g.uppercased())", rejection: nil),
        Vector(name: "now = T+301", header: "t=\(t),v1=\(g)", now: t + 301, rejection: .timestampOutOfTolerance),
        Vector(name: "now = T+300", header: "t=\(t),v1=\(g)", now: t + 300, rejection: nil),
        Vector(name: "now = T-3600 (future t)", header: "t=\(t),v1=\(g)", now: t - 3600, rejection: .timestampOutOfTolerance),
        Vector(name: "two different t", header: "t=\(t),t=\(t + 5),v1=\(g)", rejection: .malformedHeader),
        Vector(name: "empty header", header: "", rejection: .missingHeader),
        Vector(name: "no header", header: nil, rejection: .missingHeader),
        Vector(name: "trailing comma", header: "t=\(t),v1=\(g),", rejection: nil),
        Vector(name: "item without =", header: "t=\(t),v1=\(g),foo", rejection: nil),
        Vector(name: "t=T,v1 (bare scheme)", header: "t=\(t),v1", rejection: .noV1Signature),
        Vector(name: "garbage", header: "i'm not even a real signature header", rejection: .malformedHeader),
        Vector(name: "unicode payload", header: "t=\(t),v1=\(SpecVectors.unicodeSignature)", payload: SpecVectors.unicodePayload, rejection: nil),
        // Edges around the table.
        Vector(name: "now = T-300", header: "t=\(t),v1=\(g)", now: t - 300, rejection: nil),
        Vector(name: "now = T-301", header: "t=\(t),v1=\(g)", now: t - 301, rejection: .timestampOutOfTolerance),
        Vector(name: "tolerance disabled, a year late", header: "t=\(t),v1=\(g)", now: t + 31_536_000, tolerance: .disabled, rejection: nil),
        Vector(name: "bad signature and stale: signature wins", header: "t=\(t),v1=bad_signature", now: t + 10_000, rejection: .signatureMismatch),
        Vector(name: "only whitespace", header: "  \t ", rejection: .missingHeader),
        Vector(name: "spaces and tabs everywhere", header: " \tt=\(t) , \tv1=\(g)\t ", rejection: nil),
        Vector(name: "same t twice", header: "t=\(t),t=\(t),v1=\(g)", rejection: nil),
        Vector(name: "leading zeros in t sign the canonical number", header: "t=0\(t),v1=\(g)", rejection: nil),
        Vector(name: "empty t", header: "t=,v1=\(g)", rejection: .malformedHeader),
        Vector(name: "signed t", header: "t=+\(t),v1=\(g)", rejection: .malformedHeader),
        Vector(name: "negative t", header: "t=-\(t),v1=\(g)", rejection: .malformedHeader),
        Vector(name: "20-digit t", header: "t=17000000000000000000,v1=\(g)", rejection: .malformedHeader),
        Vector(name: "19-digit t beyond Int64", header: "t=9999999999999999999,v1=\(g)", rejection: .malformedHeader),
        Vector(name: "space inside t", header: "t=1700 000000,v1=\(g)", rejection: .malformedHeader),
        Vector(name: "bare t item is ignored", header: "t,t=\(t),v1=\(g)", rejection: nil),
        Vector(name: "only commas", header: ",,,", rejection: .malformedHeader),
        Vector(name: "empty key and value", header: "=,=", rejection: .malformedHeader),
        Vector(name: "empty v1", header: "t=\(t),v1=", rejection: .signatureMismatch),
        Vector(name: "truncated v1", header: "t=\(t),v1=\(g.dropLast(2))", rejection: .signatureMismatch),
        Vector(name: "v1 with one extra hex byte", header: "t=\(t),v1=\(g)00", rejection: .signatureMismatch),
        Vector(name: "v1 followed by =", header: "t=\(t),v1=\(g)=", rejection: .signatureMismatch),
        Vector(name: "scheme V1 in capitals", header: "t=\(t),V1=\(g)", rejection: .noV1Signature),
        Vector(name: "scheme v2", header: "t=\(t),v2=\(g)", rejection: .noV1Signature),
        Vector(name: "v1 first, t last", header: "v1=\(g),t=\(t)", rejection: nil),
        Vector(name: "t signed differently from header t", header: "t=\(t + 1),v1=\(g)", now: t, rejection: .signatureMismatch),
        Vector(name: "malformed wins over missing v1", header: "t=x,v0=\(g)", rejection: .malformedHeader),
        Vector(name: "non-ASCII header", header: "t=\(t),v1=\(g),ü=☃", rejection: nil),
        Vector(name: "maximum t, clock far away", header: "t=9223372036854775807,v1=\(g)", now: Int64.min, rejection: .signatureMismatch),
        Vector(name: "second secret matches", header: "t=\(t),v1=\(g)", secrets: ["whsec_other", SpecVectors.secret], rejection: nil),
        Vector(name: "empty payload, wrong signature", header: "t=\(t),v1=\(g)", payload: [], rejection: .signatureMismatch),
    ]

    @Test(arguments: vectors)
    func verify_followsTheSpecVectors(_ vector: Vector) throws {
        let now = vector.now
        let verifier = try SignatureVerifier(
            secrets: vector.secrets.map { WebhookSecret($0) }, tolerance: vector.tolerance, clock: { now }
        )
        do {
            let verified = try verifier.verify(payload: vector.payload, header: vector.header)
            #expect(vector.rejection == nil, "accepted, expected \(vector.rejection?.rawValue ?? "")")
            #expect(verified.timestamp == Self.t)
        } catch {
            #expect(error.reason == vector.rejection, "\(error)")
        }
    }

    @Test func overloads_agreeWithArrayVersion() throws {
        let verifier = try SignatureVerifier(secrets: [WebhookSecret(SpecVectors.secret)], clock: { Self.t })
        let header = "t=\(Self.t),v1=\(Self.g)"
        let padded = [0xFF] + SpecVectors.payload + [0xFF]
        let slice = padded[1..<(padded.count - 1)]
        #expect(try verifier.verify(payload: slice, header: header).timestamp == Self.t)
        let fromRaw = try SpecVectors.payload.withUnsafeBytes { raw throws in
            try verifier.verify(payload: raw, header: header).timestamp
        }
        #expect(fromRaw == Self.t)
        #expect(throws: SignatureVerificationError.self) {
            try verifier.verify(payload: padded[0..<(padded.count - 1)], header: header)
        }
    }

    @Test func verified_reportsTheMatchingSecret() throws {
        let verifier = try SignatureVerifier(
            secrets: [
                WebhookSecret("whsec_other", label: "old"),
                WebhookSecret(SpecVectors.rolledSecret, label: "rolled"),
                WebhookSecret(SpecVectors.secret, label: "current"),
            ],
            clock: { Self.t }
        )
        let both = try verifier.verify(payload: SpecVectors.payload, header: "t=\(Self.t),v1=\(Self.g),v1=\(Self.g2)")
        #expect(both.secretIndex == 1)
        #expect(both.secretLabel == "rolled")
        let current = try verifier.verify(payload: SpecVectors.payload, header: "t=\(Self.t),v1=\(Self.g)")
        #expect(current.secretIndex == 2)
        #expect(current.secretLabel == "current")
    }

    /// A configuration the verifier must refuse.
    struct BadConfiguration: Sendable, CustomTestStringConvertible {
        let name: String
        let secrets: [String]
        let tolerance: SignatureTolerance
        let reason: SignatureConfigurationError.Reason
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadConfiguration(name: "no secrets", secrets: [], tolerance: .seconds(300), reason: .noSecrets),
        BadConfiguration(name: "zero tolerance", secrets: [SpecVectors.secret], tolerance: .seconds(0), reason: .invalidTolerance),
        BadConfiguration(name: "negative tolerance", secrets: [SpecVectors.secret], tolerance: .seconds(-5), reason: .invalidTolerance),
        BadConfiguration(name: "blank secret", secrets: [SpecVectors.secret, " "], tolerance: .seconds(300), reason: .blankSecret),
    ])
    func init_rejectsBadConfiguration(_ configuration: BadConfiguration) {
        do {
            _ = try SignatureVerifier(
                secrets: configuration.secrets.map { WebhookSecret($0) }, tolerance: configuration.tolerance
            )
            Issue.record("accepted \(configuration.name)")
        } catch {
            #expect(error.reason == configuration.reason)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func init_acceptsDisabledTolerance() throws {
        let verifier = try SignatureVerifier(secrets: [WebhookSecret(SpecVectors.secret)], tolerance: .disabled)
        #expect(verifier.tolerance == .disabled)
    }

    @Test func systemClock_isCurrentUnixTime() {
        // 2024-01-01 and 2100-01-01 bracket any machine this runs on.
        #expect((1_704_067_200...4_102_444_800).contains(SignatureVerifier.systemClock()))
    }

    @Test func randomHeaders_neverCrash_andFailWithAKnownReason() throws {
        var random = SeededGenerator(seed: 0xBAD_4EAD)
        let verifier = try SignatureVerifier(secrets: [WebhookSecret(SpecVectors.secret)], clock: { Self.t })
        let known: Set<Reason> = [.missingHeader, .malformedHeader, .noV1Signature, .signatureMismatch, .timestampOutOfTolerance]
        let pieces = ["t=1700000000", "v1=\(Self.g)", ",", "t", "v1", "v0", "=", ",", " ", "\t", "1700000000", "\(Self.g)", "\(Self.g.prefix(10))", "é", "\u{0}", "-", "+"]
        var accepted = 0
        for _ in 0..<5000 {
            let header = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            do {
                _ = try verifier.verify(payload: SpecVectors.payload, header: header)
                accepted += 1
                // Only a header carrying t=T and G can verify.
                #expect(header.contains("1700000000") && header.contains(Self.g), "accepted \(header.debugDescription)")
            } catch {
                #expect(known.contains(error.reason))
            }
        }
        #expect(accepted > 0)
    }
}
