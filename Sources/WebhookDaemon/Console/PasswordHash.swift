import CLibCrypto
import Foundation
import StripeWebhooks

/// A console user's password hash in the form `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash in
/// hex): PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) from libcrypto, slow on purpose so that a leaked config
/// file does not give the passwords away. `stripe-webhookd hash-password` makes one.
struct PasswordHash: Sendable, Equatable {
    /// PBKDF2 rounds.
    let iterations: Int
    /// The salt.
    let salt: [UInt8]
    /// The derived key.
    let hash: [UInt8]

    /// Rounds new hashes use: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 (600,000).
    static let defaultIterations = 600_000
    /// Fewest rounds a configured hash may have.
    static let minimumIterations = 10_000
    /// Bytes of salt new hashes get.
    static let saltBytes = 16
    /// Bytes of derived key.
    static let hashBytes = 32
    /// The scheme name the form starts with.
    static let scheme = "pbkdf2-sha256"

    /// Parses the stored form; `nil` when it is not `pbkdf2-sha256$N$SALT$HASH` with enough rounds.
    init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let iterations = Int(parts[1]), iterations >= Self.minimumIterations,
              let salt = HexEncoding.decode(String(parts[2])), salt.count >= 8,
              let hash = HexEncoding.decode(String(parts[3])), hash.count == Self.hashBytes else {
            return nil
        }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `password` with a fresh random salt.
    init(hashing password: String, iterations: Int = defaultIterations) {
        var salt = [UInt8](repeating: 0, count: Self.saltBytes)
        precondition(RAND_bytes(&salt, Int32(salt.count)) == 1, "RAND_bytes failed")
        self.iterations = iterations
        self.salt = salt
        self.hash = Self.derive(password, salt: salt, iterations: iterations)
    }

    /// The stored form.
    var encoded: String {
        "\(Self.scheme)$\(iterations)$\(HexEncoding.encode(salt))$\(HexEncoding.encode(hash))"
    }

    /// Whether `password` is the one hashed, compared in constant time.
    func matches(_ password: String) -> Bool {
        HMACSHA256.constantTimeEquals(Self.derive(password, salt: salt, iterations: iterations), hash)
    }

    /// PBKDF2-HMAC-SHA256 of `password`.
    private static func derive(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hashBytes)
        let passwordBytes = Array(password.utf8)
        let status = passwordBytes.withUnsafeBufferPointer { passwordBuffer in
            passwordBuffer.withMemoryRebound(to: CChar.self) { passwordChars in
                PKCS5_PBKDF2_HMAC(passwordChars.baseAddress, Int32(passwordBytes.count), salt, Int32(salt.count),
                                  Int32(iterations), EVP_sha256(), Int32(output.count), &output)
            }
        }
        precondition(status == 1, "PKCS5_PBKDF2_HMAC failed")
        return output
    }
}
