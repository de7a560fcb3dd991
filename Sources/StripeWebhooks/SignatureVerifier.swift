import CLibCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks `Stripe-Signature` headers against the raw request body (Stripe rule §2).
///
/// Checks run in this order, and the first failure is reported:
/// 1. header absent, empty or only whitespace → `missing_header`;
/// 2. no `t`, a `t` that is not 1–19 ASCII digits, or two different `t` values → `malformed_header`;
/// 3. no `v1` item → `no_v1_signature`;
/// 4. no `v1` equals HMAC-SHA256(secret, `"<t>." + body`) for any secret → `signature_mismatch`;
/// 5. `|now - t| > tolerance` → `timestamp_out_of_tolerance`.
///
/// The signature is checked before the timestamp, as every Stripe SDK does, so an unauthenticated
/// sender learns nothing about the receiver's clock. A successful verification creates no Swift objects:
/// the header is read in place, the MACs live on the stack, and only libcrypto allocates (one duplicated
/// MAC context per secret tried).
public struct SignatureVerifier: Sendable {
    /// The secrets tried in order; several during a secret roll or for test and live modes (Stripe rule §2.8).
    public let secrets: [WebhookSecret]
    /// The allowed distance between `t` and now.
    public let tolerance: SignatureTolerance
    /// Returns the current Unix time in seconds.
    public let clock: @Sendable () -> Int64

    /// The system clock: `CLOCK_REALTIME` in whole seconds.
    public static let systemClock: @Sendable () -> Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }

    /// Creates a verifier.
    /// - Parameters:
    ///   - secrets: One or more signing secrets; none, or a blank one, is a configuration error.
    ///   - tolerance: Maximum distance between `t` and now; `.seconds` must be positive.
    ///   - clock: The current Unix time in seconds; inject a fixed one in tests.
    public init(
        secrets: [WebhookSecret],
        tolerance: SignatureTolerance = .standard,
        clock: @escaping @Sendable () -> Int64 = SignatureVerifier.systemClock
    ) throws(SignatureConfigurationError) {
        guard !secrets.isEmpty else {
            throw SignatureConfigurationError(
                reason: .noSecrets, message: "at least one webhook signing secret (whsec_...) is required"
            )
        }
        if let blank = secrets.firstIndex(where: \.isBlank) {
            throw SignatureConfigurationError(
                reason: .blankSecret, message: "webhook secret #\(blank + 1) is empty"
            )
        }
        if case .seconds(let seconds) = tolerance, seconds <= 0 {
            // Stripe rule §2.7: 0 is a mistake, not "off"; `.disabled` is the explicit switch.
            throw SignatureConfigurationError(
                reason: .invalidTolerance,
                message: "tolerance must be a positive number of seconds (got \(seconds)); "
                    + "use .disabled to turn the timestamp check off"
            )
        }
        self.secrets = secrets
        self.tolerance = tolerance
        self.clock = clock
    }

    /// Verifies `header` for `payload`, the raw body bytes exactly as received.
    public func verify(payload: [UInt8], header: String?) throws(SignatureVerificationError) -> VerifiedSignature {
        try payload.withUnsafeBytes { check(payload: $0, header: header) }.get()
    }

    /// Verifies `header` for the raw body in `payload`.
    public func verify(
        payload: UnsafeRawBufferPointer,
        header: String?
    ) throws(SignatureVerificationError) -> VerifiedSignature {
        try check(payload: payload, header: header).get()
    }

    /// Verifies `header` for a raw body held in any byte collection (an `ArraySlice`, `Data`, ...).
    public func verify(
        payload: some Collection<UInt8>,
        header: String?
    ) throws(SignatureVerificationError) -> VerifiedSignature {
        try HMACSHA256.withContiguousBytes(of: payload) { check(payload: $0, header: header) }.get()
    }

    /// Runs the checks on a header string.
    private func check(payload: UnsafeRawBufferPointer, header: String?) -> Result<VerifiedSignature, SignatureVerificationError> {
        guard var header else {
            return .failure(SignatureVerificationError(
                reason: .missingHeader, message: "the request has no Stripe-Signature header"
            ))
        }
        return header.withUTF8 { check(payload: payload, header: $0) }
    }

    /// Runs the checks on the header's UTF-8 bytes.
    private func check(
        payload: UnsafeRawBufferPointer,
        header: UnsafeBufferPointer<UInt8>
    ) -> Result<VerifiedSignature, SignatureVerificationError> {
        let timestamp: Int64
        switch SignatureHeaderScanner.scan(header) {
        case .missing:
            return .failure(SignatureVerificationError(
                reason: .missingHeader, message: "the Stripe-Signature header is empty"
            ))
        case .malformed(let problem):
            return .failure(SignatureVerificationError(
                reason: .malformedHeader, message: "the Stripe-Signature header is malformed: \(problem)"
            ))
        case .noV1Signature:
            return .failure(SignatureVerificationError(
                reason: .noV1Signature,
                message: "the Stripe-Signature header has no v1= signature (other schemes such as v0 are ignored)"
            ))
        case .signed(let signedAt):
            timestamp = signedAt
        }
        guard let secretIndex = matchingSecret(payload: payload, header: header, timestamp: timestamp) else {
            return .failure(SignatureVerificationError(
                reason: .signatureMismatch,
                message: "no v1 signature matches the payload under any configured secret "
                    + "(wrong secret, altered or re-serialised body, or not sent by Stripe)"
            ))
        }
        if let failure = toleranceFailure(timestamp: timestamp) {
            return .failure(failure)
        }
        return .success(VerifiedSignature(
            timestamp: timestamp, secretIndex: secretIndex, secretLabel: secrets[secretIndex].label
        ))
    }

    /// The index of the first secret under which some `v1` value is the expected signature.
    private func matchingSecret(
        payload: UnsafeRawBufferPointer,
        header: UnsafeBufferPointer<UInt8>,
        timestamp: Int64
    ) -> Int? {
        // Scratch on the stack: up to 19 digits and "." (§2.4), the expected MAC, one decoded v1.
        withUnsafeTemporaryAllocation(byteCount: 20 + 2 * HMACSHA256.byteCount, alignment: 1) { scratch in
            defer { OPENSSL_cleanse(scratch.baseAddress, scratch.count) }
            let prefixLength = Self.writeSignedPayloadPrefix(timestamp, into: scratch)
            let prefix = UnsafeRawBufferPointer(rebasing: scratch[0..<prefixLength])
            let expected = UnsafeMutableRawBufferPointer(rebasing: scratch[20..<(20 + HMACSHA256.byteCount)])
            let received = UnsafeMutableRawBufferPointer(rebasing: scratch[(20 + HMACSHA256.byteCount)...])
            for (index, secret) in secrets.enumerated() {
                secret.key.authenticationCode(prefix: prefix, message: payload, into: expected)
                var matched = false
                SignatureHeaderScanner.forEachItem(in: header) { key, value in
                    // §2.6: compare hex-decoded bytes in constant time; values that are not
                    // 64 hex digits cannot decode into 32 bytes and so never match.
                    guard SignatureHeaderScanner.isV1Key(key),
                          HexEncoding.decode(UnsafeRawBufferPointer(value), into: received)
                    else { return true }
                    matched = HMACSHA256.constantTimeEquals(
                        UnsafeRawBufferPointer(expected), UnsafeRawBufferPointer(received)
                    )
                    return !matched
                }
                if matched { return index }
            }
            return nil
        }
    }

    /// The error for a timestamp outside the tolerance, or nil when it is within (Stripe rule §2.7).
    private func toleranceFailure(timestamp: Int64) -> SignatureVerificationError? {
        guard case .seconds(let limit) = tolerance else { return nil }
        let now = clock()
        let (difference, overflow) = now.subtractingReportingOverflow(timestamp)
        // Policy: symmetric, |now - t| > tolerance fails, so far-future timestamps fail too.
        guard overflow || difference.magnitude > UInt64(limit) else { return nil }
        let direction = overflow || difference > 0 ? "in the past" : "in the future"
        let distance = overflow ? "more than \(Int64.max)" : "\(difference.magnitude)"
        return SignatureVerificationError(
            reason: .timestampOutOfTolerance,
            message: "the signature timestamp is \(distance) seconds \(direction), beyond the tolerance of \(limit) seconds "
                + "(a replayed request or a wrong clock)"
        )
    }

    /// Writes the decimal `timestamp` and "." (the start of the signed payload) and returns their length.
    static func writeSignedPayloadPrefix(_ timestamp: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        // `t` is non-negative here: the scanner accepts digits only. The canonical decimal form (no leading
        // zeros) is what every Stripe SDK signs, since they all parse `t` to an integer first.
        var remaining = UInt64(timestamp)
        var digits = 0
        repeat {
            digits += 1
            remaining /= 10
        } while remaining > 0
        remaining = UInt64(timestamp)
        for position in stride(from: digits - 1, through: 0, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        buffer[digits] = UInt8(ascii: ".")
        return digits + 1
    }
}
