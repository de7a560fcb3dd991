import Foundation
import Testing
@testable import StripeWebhooks

/// Our verifier against the official Python SDK (PyPI `stripe`), run once in batch mode as an oracle.
///
/// Every disagreement must be one of this project's documented policy differences (stripe-webhooks.md §2),
/// each recognised by an explicit rule below; any other disagreement fails the test.
struct StripeSDKOracleTests {
    /// A documented reason for our verdict to differ from stripe-python's.
    enum PolicyRule: String, CaseIterable, Sendable {
        /// §2.1: we trim spaces and tabs around items; the SDK compares keys and values untrimmed.
        case trimmedWhitespace = "we accept: spaces/tabs around items are trimmed (§2.1)"
        /// §2.6: we compare decoded bytes; the SDK compares lowercase hex strings.
        case caseInsensitiveHex = "we accept: v1 hex matches ignoring case (§2.6)"
        /// §2.1: we ignore items without `=`; the SDK's parser raises on a bare `t` or `v1` item.
        case bareSchemeItem = "we accept: a bare t or v1 item without '=' is ignored (§2.1)"
        /// §2.7: symmetric tolerance; the SDK accepts any future `t`.
        case futureTimestamp = "we reject: t is more than the tolerance in the future (§2.7)"
        /// §2.2: two different `t` values are malformed; the SDK uses the first.
        case conflictingTimestamps = "we reject: two different t values (§2.2)"
        /// §2.2: `t` must be 1–19 ASCII digits; the SDK uses Python's int(), which allows signs, `_` and spaces.
        case nonDigitTimestamp = "we reject: a t value that is not 1-19 ASCII digits (§2.2)"
        /// §2.1: items split on the first `=`; the SDK's split("=", 2) drops what follows a second `=`.
        case v1ValueWithEquals = "we reject: a v1 value containing '=' (§2.1)"
    }

    /// One case as sent to Python.
    struct OracleCase: Encodable {
        /// `sign` (generate a header, then verify it) or `verify`.
        let op: String
        /// The body, base64.
        let payload: String
        /// The header to verify (`verify` only); nil sends no header.
        let header: String?
        /// The secret.
        let secret: String
        /// The timestamp to sign at (`sign` only).
        let timestamp: Int64
        /// Tolerance in seconds.
        let tolerance: Int
    }

    /// Python's answer for one case.
    struct OracleResult: Decodable {
        /// The generated header (`sign` only).
        let header: String?
        /// Whether verify_header accepted.
        let accepted: Bool
        /// The exception, when it rejected.
        let error: String?
    }

    /// Python's whole answer.
    struct OracleReply: Decodable {
        /// stripe.VERSION.
        let version: String?
        /// time.time() when Python finished.
        let finished: Double?
        /// One result per case.
        let results: [OracleResult]?
        /// Set when the SDK could not be imported.
        let error: String?
    }

    /// A signed delivery, then mutated.
    struct MutationCase {
        /// The body sent.
        var body: [UInt8]
        /// The header sent.
        var header: String?
        /// The secret both sides verify with.
        var secret: String
        /// The names of the mutations applied, for failure messages.
        var mutations: [String] = []
    }

    static let tolerance = 300

    static let script = #"""
        import base64, json, sys, time
        try:
            import stripe
            from stripe import WebhookSignature
        except Exception as error:
            json.dump({"error": "cannot import the PyPI package 'stripe' (%s); run the tests with scripts/test.sh, or set STRIPE_WEBHOOKD_PYTHON to a Python that has it (scripts/python-env.sh prints one)" % error}, sys.stdout)
            sys.exit(3)
        cases = json.load(sys.stdin)
        results = []
        for case in cases:
            payload = base64.b64decode(case["payload"])
            header = case.get("header")
            result = {}
            if case["op"] == "sign":
                header = WebhookSignature.generate_signature_header(payload.decode("utf-8"), case["secret"], case["timestamp"])
                result["header"] = header
            try:
                WebhookSignature.verify_header(payload, header, case["secret"], case["tolerance"])
                result["accepted"] = True
            except Exception as error:
                result["accepted"] = False
                result["error"] = "%s: %s" % (type(error).__name__, error)
            results.append(result)
        json.dump({"version": stripe.VERSION, "finished": time.time(), "results": results}, sys.stdout)
        """#

    @Test func ourVerdicts_agreeWithStripePython_exceptDocumentedPolicies() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let samples = try Samples.names.map { try Samples.bytes($0) }
        let mutated = Self.mutationCases(bodies: samples + [SpecVectors.payload, SpecVectors.unicodePayload], now: now, count: 600)

        var cases: [OracleCase] = samples.enumerated().map { index, body in
            OracleCase(op: "sign", payload: Data(body).base64EncodedString(), header: nil,
                       secret: "whsec_sample_\(index)", timestamp: now - 10, tolerance: Self.tolerance)
        }
        cases += mutated.map {
            OracleCase(op: "verify", payload: Data($0.body).base64EncodedString(), header: $0.header,
                       secret: $0.secret, timestamp: 0, tolerance: Self.tolerance)
        }
        let reply = try Self.runOracle(cases)
        if let error = reply.error {
            Issue.record("stripe-python oracle unavailable: \(error)")
            return
        }
        let results = try #require(reply.results)
        try #require(results.count == cases.count)
        // Margins around the tolerance are 100 s; a slower oracle would make its clock disagree with ours.
        let finished = try #require(reply.finished)
        try #require(finished - Double(now) < 90, "the Python oracle took \(finished - Double(now)) s")

        // (a) The SDK's headers for the 20 samples: identical to ours, accepted by both.
        for (index, body) in samples.enumerated() {
            let secret = WebhookSecret("whsec_sample_\(index)")
            let result = results[index]
            let header = try #require(result.header)
            #expect(result.accepted, "SDK rejected its own header for \(Samples.names[index]): \(result.error ?? "")")
            #expect(header == SignatureHeader.generate(payload: body, secret: secret, timestamp: now - 10))
            let verifier = try SignatureVerifier(secrets: [secret], clock: { now })
            #expect(throws: Never.self, "\(Samples.names[index])") { try verifier.verify(payload: body, header: header) }
        }

        // (b) Mutations: same verdict, or a documented policy difference.
        var agreements = (accepted: 0, rejected: 0)
        var explained: [PolicyRule: Int] = [:]
        for (offset, testCase) in mutated.enumerated() {
            let sdk = results[samples.count + offset]
            let verifier = try SignatureVerifier(secrets: [WebhookSecret(testCase.secret)], clock: { now })
            let ours: Result<VerifiedSignature, SignatureVerificationError>
            do {
                ours = .success(try verifier.verify(payload: testCase.body, header: testCase.header))
            } catch {
                ours = .failure(error)
            }
            let oursAccepted = (try? ours.get()) != nil
            if oursAccepted == sdk.accepted {
                if oursAccepted { agreements.accepted += 1 } else { agreements.rejected += 1 }
                continue
            }
            if let rule = Self.policyRule(for: testCase, ours: ours, now: now) {
                explained[rule, default: 0] += 1
            } else {
                let verdict = oursAccepted ? "we accept" : "we reject (\(ours))"
                Issue.record("""
                    unexplained disagreement: \(verdict), SDK \(sdk.accepted ? "accepts" : "rejects: \(sdk.error ?? "")")
                    mutations: \(testCase.mutations)
                    header: \(testCase.header.map { "\"\($0)\"" } ?? "none")
                    """)
            }
        }
        // The mutations must exercise both verdicts and every documented difference.
        #expect(agreements.accepted >= 50)
        #expect(agreements.rejected >= 200)
        for rule in PolicyRule.allCases {
            #expect(explained[rule, default: 0] > 0, "no case exercised: \(rule.rawValue)")
        }
    }

    /// Runs the Python oracle once over all cases (JSON on stdin, JSON on stdout).
    static func runOracle(_ cases: [OracleCase]) throws -> OracleReply {
        try runPython(script, input: cases, name: "stripe-oracle")
    }

    /// Runs `script` with the tests' Python, `input` as JSON on its standard input, and decodes its
    /// standard output as `Reply` (the snapshot and thin oracles both talk to Python this way).
    static func runPython<Input: Encodable, Reply: Decodable>(_ script: String, input cases: Input, name: String) throws -> Reply {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).json")
        try JSONEncoder().encode(cases).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [PythonInterpreter.command, "-c", script]
        process.standardInput = try FileHandle(forReadingFrom: input)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else {
            throw OracleFailure(message: "python3 exited with status \(process.terminationStatus) and no JSON reply: "
                + String(decoding: data.prefix(500), as: UTF8.self))
        }
        return reply
    }

    /// The oracle could not be run.
    struct OracleFailure: Error, CustomStringConvertible {
        /// What happened.
        let message: String
        /// The message.
        var description: String { message }
    }

    /// The documented rule that explains why our verdict differs from the SDK's, or nil if none does.
    static func policyRule(
        for testCase: MutationCase,
        ours: Result<VerifiedSignature, SignatureVerificationError>,
        now: Int64
    ) -> PolicyRule? {
        let items = (testCase.header ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let trimmed = items.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t")) }
        let pairs = trimmed.compactMap { item -> (key: String, value: String)? in
            guard let equals = item.firstIndex(of: "=") else { return nil }
            return (String(item[..<equals]), String(item[item.index(after: equals)...]))
        }
        let timestamps = pairs.filter { $0.key == "t" }.map(\.value)
        let signatures = pairs.filter { $0.key == "v1" }.map(\.value)
        switch ours {
        case .success(let verified):
            if items.contains(where: { $0 != $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t")) }) {
                return .trimmedWhitespace
            }
            let expected = HexEncoding.encode(HMACSHA256.authenticationCode(
                key: Array(testCase.secret.utf8), message: Array("\(verified.timestamp).".utf8) + testCase.body
            ))
            if !signatures.contains(expected) && signatures.contains(where: { $0.lowercased() == expected }) {
                return .caseInsensitiveHex
            }
            if trimmed.contains("t") || trimmed.contains("v1") {
                return .bareSchemeItem
            }
        case .failure(let error):
            let isDigits = { (value: String) in (1...19).contains(value.utf8.count) && value.utf8.allSatisfy { (0x30...0x39).contains($0) } }
            if error.reason == .timestampOutOfTolerance, let first = timestamps.first, let t = Int64(first), t > now {
                return .futureTimestamp
            }
            if error.reason == .malformedHeader, !timestamps.allSatisfy(isDigits) {
                return .nonDigitTimestamp
            }
            if error.reason == .malformedHeader, Set(timestamps.compactMap { Int64($0) }).count > 1 {
                return .conflictingTimestamps
            }
            if error.reason == .signatureMismatch, signatures.contains(where: { $0.contains("=") }) {
                return .v1ValueWithEquals
            }
        }
        return nil
    }
}
