import EventStore
import Testing

@Suite struct EventTypePatternTests {
    @Test(arguments: [
        ("invoice.paid", "invoice.paid", true),
        ("invoice.paid", "invoice.paid.extra", false),
        ("invoice.paid", "invoice.payment_failed", false),
        ("invoice.*", "invoice.paid", true),
        ("invoice.*", "invoice.payment.nested", true),
        ("invoice.*", "invoiceitem.created", false),
        ("invoice.*", "invoice", false),
        ("charge.dispute.*", "charge.dispute.closed", true),
        ("charge.dispute.*", "charge.refunded", false),
        ("*", "anything.at.all", true),
    ])
    func matches_bySegment(pattern: String, type: String, expected: Bool) throws {
        #expect(try EventTypePattern(pattern).matches(type) == expected)
    }

    @Test(arguments: ["", "inv*", "*.paid", "invoice.*.paid", "invoice..paid", "invoice.", ".paid", "invoice.p*", "**", "invoice paid"])
    func malformedPatterns_areRejected(pattern: String) {
        let error = #expect(throws: EventStoreError.self) { try EventTypePattern(pattern) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("'\(pattern)'") == true)
    }

    @Test(arguments: ["invoice.paid", "invoice.*", "*"])
    func description_isThePatternAsWritten(pattern: String) throws {
        #expect(try EventTypePattern(pattern).description == pattern)
    }
}
