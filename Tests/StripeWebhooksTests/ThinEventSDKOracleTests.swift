import Foundation
import Testing
@testable import StripeWebhooks

/// A thin endpoint (our verifier, then ``ThinEvent/decode(from:)``) against the official Python SDK's
/// `StripeClient.parse_event_notification`, run once in batch mode as an oracle: the thin samples signed
/// as `sign` signs them must be accepted and decoded alike (id, type, created, livemode, context,
/// related object), and the snapshot oracle's random header and body mutations must get the same
/// verdicts, or differ only by a documented policy (stripe-webhooks.md §2).
struct ThinEventSDKOracleTests {
    /// One case as sent to Python.
    struct ThinCase: Encodable {
        /// The body, base64.
        let payload: String
        /// The header; nil sends none.
        let header: String?
        /// The secret.
        let secret: String
        /// Tolerance in seconds.
        let tolerance: Int
    }

    /// What the SDK made of one case.
    struct ThinResult: Decodable {
        /// Whether parse_event_notification returned.
        let accepted: Bool
        /// The exception, when it raised.
        let error: String?
        /// `id`.
        let id: String?
        /// `type`.
        let type: String?
        /// `created`, as the SDK keeps it (the RFC 3339 string).
        let created: String?
        /// `livemode`.
        let livemode: Bool?
        /// `str(context)`, or nil when it has none.
        let context: String?
        /// `related_object.id`, `.type`, `.url`, when it has one.
        let relatedID: String?
        /// `related_object.type`.
        let relatedType: String?
        /// `related_object.url`.
        let relatedURL: String?
        /// The SDK's class for the type, e.g. `V2CoreEventDestinationPingEventNotification`.
        let sdkClass: String?
    }

    /// Python's whole answer.
    struct ThinReply: Decodable {
        /// stripe.VERSION.
        let version: String?
        /// time.time() when Python finished.
        let finished: Double?
        /// One result per case.
        let results: [ThinResult]?
        /// Set when the SDK could not be imported.
        let error: String?
    }

    static let script = #"""
        import base64, json, sys, time
        try:
            import stripe
        except Exception as error:
            json.dump({"error": "cannot import the PyPI package 'stripe' (%s); install it with: pip install stripe" % error}, sys.stdout)
            sys.exit(3)
        client = stripe.StripeClient("sk_test_oracle")
        results = []
        for case in json.load(sys.stdin):
            payload = base64.b64decode(case["payload"])
            try:
                n = client.parse_event_notification(payload, case.get("header"), case["secret"], case["tolerance"])
            except Exception as error:
                results.append({"accepted": False, "error": "%s: %s" % (type(error).__name__, error)})
                continue
            related = getattr(n, "related_object", None)
            results.append({
                "accepted": True, "id": n.id, "type": n.type, "created": n.created, "livemode": n.livemode,
                "context": str(n.context) if n.context else None,
                "relatedID": getattr(related, "id", None) if related else None,
                "relatedType": related.type if related else None,
                "relatedURL": related.url if related else None,
                "sdkClass": type(n).__name__,
            })
        json.dump({"version": stripe.VERSION, "finished": time.time(), "results": results}, sys.stdout)
        """#

    @Test func thinEndpoint_agreesWithParseEventNotification() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let samples = try Samples.thinNames.map { try Samples.thinBytes($0) }
        let signed = samples.enumerated().map { index, body in
            StripeSDKOracleTests.MutationCase(
                body: body, header: SignatureHeader.generate(payload: body, secret: "whsec_thin_\(index)", timestamp: now - 10),
                secret: "whsec_thin_\(index)"
            )
        }
        let mutated = StripeSDKOracleTests.mutationCases(bodies: samples, now: now, count: 400)
        let cases = signed + mutated
        let reply = try Self.runOracle(cases.map {
            ThinCase(payload: Data($0.body).base64EncodedString(), header: $0.header, secret: $0.secret,
                     tolerance: StripeSDKOracleTests.tolerance)
        })
        if let error = reply.error {
            Issue.record("stripe-python oracle unavailable: \(error)")
            return
        }
        let results = try #require(reply.results)
        try #require(results.count == cases.count)
        let finished = try #require(reply.finished)
        try #require(finished - Double(now) < 90, "the Python oracle took \(finished - Double(now)) s")

        // (a) Every thin sample, signed as `sign` signs it: the SDK accepts it and reads what we read.
        for (index, name) in Samples.thinNames.enumerated() {
            let sdk = results[index]
            #expect(sdk.accepted, "SDK rejected \(name): \(sdk.error ?? "")")
            let ours = try Self.thinEndpoint(cases[index], now: now).get()
            Self.expectAgreement(ours, sdk, name)
            // The SDK knows these types: it picked a typed notification, not the catch-all.
            #expect(sdk.sdkClass?.hasPrefix("Unknown") == false, "\(name): \(sdk.sdkClass ?? "-")")
        }

        // (b) The snapshot oracle's mutations, on thin bodies: same verdict, or a documented policy.
        var agreements = (accepted: 0, rejected: 0)
        for offset in signed.count..<cases.count {
            let testCase = cases[offset]
            let sdk = results[offset]
            let ours = Self.thinEndpoint(testCase, now: now)
            switch (ours, sdk.accepted) {
            case (.success(let event), true):
                agreements.accepted += 1
                Self.expectAgreement(event, sdk, "\(testCase.mutations)")
            case (.failure, false):
                agreements.rejected += 1
            case (.success, false), (.failure, true):
                let verifier = try SignatureVerifier(secrets: [WebhookSecret(testCase.secret)], clock: { now })
                let signature: Result<VerifiedSignature, SignatureVerificationError>
                do {
                    signature = .success(try verifier.verify(payload: testCase.body, header: testCase.header))
                } catch {
                    signature = .failure(error)
                }
                if StripeSDKOracleTests.policyRule(for: testCase, ours: signature, now: now) == nil {
                    Issue.record("""
                        unexplained disagreement on a thin body: ours \(ours), SDK \(sdk.accepted ? "accepts" : "rejects: \(sdk.error ?? "")")
                        mutations: \(testCase.mutations)
                        header: \(testCase.header.map { "\"\($0)\"" } ?? "none")
                        """)
                }
            }
        }
        #expect(agreements.accepted >= 30)
        #expect(agreements.rejected >= 120)
    }

    /// What a thin endpoint does with one delivery: verify, then decode.
    static func thinEndpoint(_ testCase: StripeSDKOracleTests.MutationCase, now: Int64) -> Result<ThinEvent, any Error> {
        Result {
            let verifier = try SignatureVerifier(secrets: [WebhookSecret(testCase.secret)], clock: { now })
            _ = try verifier.verify(payload: testCase.body, header: testCase.header)
            return try ThinEvent.decode(from: testCase.body)
        }
    }

    /// Our decoding and the SDK's agree on every field both read.
    static func expectAgreement(_ ours: ThinEvent, _ sdk: ThinResult, _ label: String) {
        #expect(sdk.id == ours.id, "\(label)")
        #expect(sdk.type == ours.type.rawValue, "\(label)")
        #expect(sdk.created == ours.created, "\(label)")
        #expect(sdk.livemode == ours.livemode, "\(label)")
        #expect(sdk.context == ours.context, "\(label)")
        #expect(sdk.relatedID == ours.relatedObject?.id, "\(label)")
        #expect(sdk.relatedType == ours.relatedObject?.type, "\(label)")
        #expect(sdk.relatedURL == ours.relatedObject?.url, "\(label)")
    }

    /// Runs the Python oracle once over all cases (JSON on stdin, JSON on stdout).
    static func runOracle(_ cases: [ThinCase]) throws -> ThinReply {
        try StripeSDKOracleTests.runPython(script, input: cases, name: "stripe-thin-oracle")
    }
}
