import Foundation
import Testing
@testable import StripeWebhooks

/// HMAC-SHA256 against RFC 4231 and the Stripe spec's vectors.
struct HMACSHA256Tests {
    /// One RFC 4231 §4 test case.
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let message: [UInt8]
        let expected: String
        var testDescription: String { name }
    }

    static let rfc4231: [Vector] = [
        Vector(name: "RFC 4231 case 1", key: Array(repeating: 0x0B, count: 20), message: Array("Hi There".utf8),
               expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(name: "RFC 4231 case 2", key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8),
               expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(name: "RFC 4231 case 3", key: Array(repeating: 0xAA, count: 20), message: Array(repeating: 0xDD, count: 50),
               expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(name: "RFC 4231 case 4", key: Array(1...25), message: Array(repeating: 0xCD, count: 50),
               expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(name: "RFC 4231 case 6 (key longer than a block)", key: Array(repeating: 0xAA, count: 131),
               message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(name: "RFC 4231 case 7", key: Array(repeating: 0xAA, count: 131),
               message: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                   + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
               expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        Vector(name: "empty key and message", key: [], message: [],
               expected: "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
        Vector(name: "Stripe spec G", key: Array(SpecVectors.secret.utf8),
               message: Array("1700000000.".utf8) + SpecVectors.payload, expected: SpecVectors.signature),
        Vector(name: "Stripe spec G2", key: Array(SpecVectors.rolledSecret.utf8),
               message: Array("1700000000.".utf8) + SpecVectors.payload, expected: SpecVectors.rolledSignature),
        Vector(name: "Stripe spec unicode payload", key: Array(SpecVectors.secret.utf8),
               message: Array("1700000000.".utf8) + SpecVectors.unicodePayload, expected: SpecVectors.unicodeSignature),
    ]

    @Test(arguments: rfc4231)
    func oneShot_matchesPublishedValue(_ vector: Vector) {
        let mac = HMACSHA256.authenticationCode(key: vector.key, message: vector.message)
        #expect(mac.count == 32)
        #expect(HexEncoding.encode(mac) == vector.expected)
    }

    @Test(arguments: rfc4231)
    func preparedKey_withPrefixSplitAnywhere_matchesPublishedValue(_ vector: Vector) {
        let key = HMACSHA256.Key(vector.key)
        for split in Set([0, vector.message.count / 3, vector.message.count]) {
            let mac = key.authenticationCode(prefix: vector.message[..<split], message: vector.message[split...])
            #expect(HexEncoding.encode(mac) == vector.expected, "split at \(split)")
        }
        // The key is reusable: a second computation gives the same result.
        #expect(HexEncoding.encode(key.authenticationCode(for: vector.message)) == vector.expected)
    }

    @Test func preparedKey_isSafeToShareAcrossThreads() {
        let key = HMACSHA256.Key(Array(SpecVectors.secret.utf8))
        let message = Array("1700000000.".utf8) + SpecVectors.payload
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 64)
        defer { results.deallocate() }
        nonisolated(unsafe) let shared = results
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            var allEqual = true
            for _ in 0..<200 {
                allEqual = allEqual && HexEncoding.encode(key.authenticationCode(for: message)) == SpecVectors.signature
            }
            shared[index] = allEqual
        }
        #expect(results.allSatisfy { $0 })
    }

    /// A constant-time comparison case.
    struct Comparison: Sendable, CustomTestStringConvertible {
        let lhs: [UInt8]
        let rhs: [UInt8]
        let equal: Bool
        var testDescription: String { "\(lhs) vs \(rhs)" }
    }

    @Test(arguments: [
        Comparison(lhs: [], rhs: [], equal: true),
        Comparison(lhs: [1, 2, 3], rhs: [1, 2, 3], equal: true),
        Comparison(lhs: [1, 2, 3], rhs: [1, 2, 4], equal: false),
        Comparison(lhs: [0, 2, 3], rhs: [1, 2, 3], equal: false),
        Comparison(lhs: [1, 2, 3], rhs: [1, 2], equal: false),
        Comparison(lhs: [], rhs: [0], equal: false),
    ])
    func constantTimeEquals_comparesContentAndLength(_ comparison: Comparison) {
        #expect(HMACSHA256.constantTimeEquals(comparison.lhs, comparison.rhs) == comparison.equal)
    }
}
