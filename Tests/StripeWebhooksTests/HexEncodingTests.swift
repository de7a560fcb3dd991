import Testing
@testable import StripeWebhooks

/// Hex encoding and decoding.
struct HexEncodingTests {
    @Test func encode_isLowercaseTwoDigitsPerByte() {
        #expect(HexEncoding.encode([0x00, 0x0F, 0xA0, 0xFF, 0x4F]) == "000fa0ff4f")
        #expect(HexEncoding.encode([UInt8]()) == "")
    }

    /// A decoding case: input text and the bytes expected, or nil for rejection.
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let bytes: [UInt8]?
        var testDescription: String { "\"\(text)\"" }
    }

    @Test(arguments: [
        Case(text: "", bytes: []),
        Case(text: "00ff", bytes: [0x00, 0xFF]),
        Case(text: "00FF", bytes: [0x00, 0xFF]),
        Case(text: "aBcD", bytes: [0xAB, 0xCD]),
        Case(text: "abc", bytes: nil),
        Case(text: "0g", bytes: nil),
        Case(text: "zz", bytes: nil),
        Case(text: " 00", bytes: nil),
        Case(text: "0x00", bytes: nil),
        Case(text: "éé", bytes: nil),
        Case(text: "bad_signature", bytes: nil),
    ])
    func decode_acceptsEitherCaseAndRejectsEverythingElse(_ testCase: Case) {
        #expect(HexEncoding.decode(testCase.text) == testCase.bytes)
    }

    @Test func roundTrip_allByteValues() {
        let all = (0...255).map(UInt8.init)
        #expect(HexEncoding.decode(HexEncoding.encode(all)) == all)
        #expect(HexEncoding.decode(HexEncoding.encode(all).uppercased()) == all)
    }
}
