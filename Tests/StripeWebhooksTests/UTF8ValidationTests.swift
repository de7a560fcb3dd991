import Testing
@testable import StripeWebhooks

/// The UTF-8 check used when strings are skipped must agree with `String(validating:)`, which the
/// parser uses when it builds them: otherwise decoding and a later full parse could disagree.
struct UTF8ValidationTests {
    /// The standard library's verdict.
    static func standard(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
    }

    /// Ours.
    static func ours(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { UTF8Validation.isWellFormed($0) }
    }

    @Test func everyOneAndTwoByteSequence_andThreeByteBoundaries_getTheStandardVerdict() {
        var disagreements: [[UInt8]] = []
        for first in 0...255 {
            let one = [UInt8(first)]
            if Self.ours(one) != Self.standard(one) { disagreements.append(one) }
            for second in 0...255 {
                let two = [UInt8(first), UInt8(second)]
                if Self.ours(two) != Self.standard(two) { disagreements.append(two) }
                // Three bytes: after a multi-byte lead, the third byte only matters by which side of
                // each boundary of the continuation range it is on.
                guard first >= 0xC0 else { continue }
                for third in [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF] {
                    let three = [UInt8(first), UInt8(second), UInt8(third)]
                    if Self.ours(three) != Self.standard(three) { disagreements.append(three) }
                }
            }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5))")
    }

    @Test func fourByteSequences_andRandomStrings_getTheStandardVerdict() {
        var random = SeededGenerator(seed: 0x07F8)
        var disagreements: [[UInt8]] = []
        for lead in 0xF0...0xF7 {
            for second in stride(from: 0x70, through: 0xC0, by: 1) {
                for third in [0x7F, 0x80, 0xBF, 0xC0] {
                    for fourth in [0x7F, 0x80, 0x9F, 0xBF, 0xC0] {
                        let bytes = [UInt8(lead), UInt8(second), UInt8(third), UInt8(fourth)]
                        if Self.ours(bytes) != Self.standard(bytes) { disagreements.append(bytes) }
                    }
                }
            }
        }
        // Valid text with random damage: truncations, stray continuation bytes, swapped bytes.
        let text = Array("Zoë ☃ café 𝄞 日本語 ascii".utf8)
        for _ in 0..<20_000 {
            var bytes = text
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = UInt8.random(in: 0x80...0xFF, using: &random)
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8.random(in: 0...0xFF, using: &random), at: position)
                }
            }
            if Self.ours(bytes) != Self.standard(bytes) { disagreements.append(bytes) }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5))")
    }
}
