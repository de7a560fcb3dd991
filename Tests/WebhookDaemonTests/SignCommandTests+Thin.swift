import Foundation
import StripeWebhooks
import Testing
@testable import WebhookDaemon

/// `sign` on the bundled thin samples, checked by Stripe's Python SDK the way a thin destination's
/// receiver checks a delivery: `StripeClient.parse_event_notification` accepts each signed file and
/// reads the same id, type, related object and context as the daemon's decoder.
extension SignCommandTests {
    @Test(arguments: SampleEvents.thinTypes)
    func thinSampleSignedBySign_isAcceptedByParseEventNotification(_ type: String) throws {
        let file = TestSupport.samplesDirectory.appendingPathComponent("Thin/\(type).json")
        let secret = "whsec_thin_sign_check"
        let signed = try CommandLineTests.run(["sign", "--secret", secret, file.path])
        #expect(signed.status == 0, "\(signed.err)")
        let header = signed.out.trimmingCharacters(in: .newlines)
        let script = """
            import json, sys
            import stripe
            body = open(sys.argv[1], "rb").read()
            n = stripe.StripeClient("sk_test_sign_check").parse_event_notification(body, sys.argv[2], sys.argv[3])
            r = getattr(n, "related_object", None)
            print(json.dumps({"id": n.id, "type": n.type, "context": str(n.context) if n.context else None,
                              "related": [getattr(r, "id", None), r.type, r.url] if r else None}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [PythonInterpreter.command, "-c", script, file.path, header, secret]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "parse_event_notification refused \(type): \(String(decoding: errData, as: UTF8.self))")
        let sdk = try #require(try JSONSerialization.jsonObject(with: outData) as? [String: Any])
        let ours = try ThinEvent.decode(from: Array(try Data(contentsOf: file)))
        #expect(sdk["id"] as? String == ours.id)
        #expect(sdk["type"] as? String == ours.type.rawValue)
        #expect(sdk["context"] as? String == ours.context)
        #expect(sdk["related"] as? [String] == [ours.relatedObject?.id ?? "", ours.relatedObject?.type ?? "", ours.relatedObject?.url ?? ""])
    }
}
