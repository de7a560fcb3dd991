import FuzzSupport
import StripeWebhooks

/// The secret values and labels the fuzzed verifier holds: two, as during a secret roll.
let secretValues = [("whsec_fuzz_current", "current"), ("whsec_fuzz_previous", "previous")]
/// The same as `WebhookSecret`s.
let secrets = secretValues.map { WebhookSecret($0.0, label: $0.1) }
/// The verifier's fixed clock.
let now: Int64 = 1_700_000_000
/// The verifier under test: two secrets, the standard tolerance, a fixed clock.
let verifier = try! SignatureVerifier(secrets: secrets, tolerance: .standard, clock: { now })

/// The function libFuzzer calls with each input. The input is a `Stripe-Signature` value, a line feed, and the payload. In the
/// value, `SIG0` and `SIG1` are replaced by the correct `v1` for `t=1700000000` under the first and the
/// second secret, so the fuzzer explores accepted headers as well as refused ones. Whenever `verify`
/// accepts, the header must really carry the MAC of `"<timestamp>.<payload>"` under the secret it
/// names, and the timestamp must be within the tolerance: anything else is a forgery.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignatureHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    let split = input.firstIndex(of: 0x0A) ?? input.count
    let payload = Array(input[min(split + 1, input.count)...])
    var header = String(decoding: input[..<split], as: UTF8.self)
    for (index, secret) in secretValues.enumerated() where header.contains("SIG\(index)") {
        header = header.replacing("SIG\(index)", with: expectedMAC(secret: secret.0, timestamp: now, payload: payload))
    }
    let verified: VerifiedSignature
    do {
        verified = try verifier.verify(payload: payload, header: header)
    } catch {
        fuzzCheck(!error.description.contains("whsec_fuzz"), "an error message disclosed a secret: \(error)")
        return 0
    }
    fuzzCheck(abs(verified.timestamp - now) <= 300, "accepted timestamp \(verified.timestamp)")
    fuzzCheck(secrets.indices.contains(verified.secretIndex), "secret index \(verified.secretIndex)")
    fuzzCheck(verified.secretLabel == secrets[verified.secretIndex].label, "secret label \(verified.secretLabel ?? "nil")")
    let mac = expectedMAC(secret: secretValues[verified.secretIndex].0, timestamp: verified.timestamp, payload: payload)
    fuzzCheck(header.lowercased().contains("v1=" + mac), "accepted without the right MAC: \(header)")
    return 0
}

/// The lowercase hex `v1` Stripe would send for `payload` at `timestamp` under `secret`.
func expectedMAC(secret: String, timestamp: Int64, payload: [UInt8]) -> String {
    let key = Array(secret.utf8)
    let message = Array("\(timestamp).".utf8) + payload
    return HexEncoding.encode(HMACSHA256.authenticationCode(key: key, message: message))
}

/// The entry point SwiftPM links as `main` (`--defsym main=FuzzSignatureHeader_main`): starts libFuzzer's driver,
/// which reads its flags (`-max_total_time=N`, corpus directories) from the arguments.
@_cdecl("FuzzSignatureHeader_main")
public func fuzzSignatureHeaderMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(fuzzSignatureHeader, argc: argc, argv: argv)
}
