import Testing
@testable import StripeWebhooks

/// Pattern syntax and matching.
struct EventPatternTests {
    /// A pattern, a type, and whether the pattern selects the type.
    struct Match: Sendable, CustomTestStringConvertible {
        let pattern: String
        let type: String
        let matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "~" : "!~") \(type)" }
    }

    @Test(arguments: [
        Match(pattern: "invoice.paid", type: "invoice.paid", matches: true),
        Match(pattern: "invoice.paid", type: "invoice.paid.extra", matches: false),
        Match(pattern: "invoice.paid", type: "invoice.payment_succeeded", matches: false),
        Match(pattern: "invoice.paid", type: "Invoice.paid", matches: false),
        Match(pattern: "invoice.*", type: "invoice.paid", matches: true),
        Match(pattern: "invoice.*", type: "invoice.payment_failed", matches: true),
        Match(pattern: "invoice.*", type: "invoice.payment.succeeded", matches: true),
        Match(pattern: "invoice.*", type: "invoiceitem.created", matches: false),
        Match(pattern: "invoice.*", type: "invoice", matches: false),
        Match(pattern: "invoice.*", type: "invoice.", matches: false),
        Match(pattern: "invoice.*", type: "xinvoice.paid", matches: false),
        Match(pattern: "customer.*", type: "customer.subscription.deleted", matches: true),
        Match(pattern: "customer.subscription.*", type: "customer.subscription.deleted", matches: true),
        Match(pattern: "customer.subscription.*", type: "customer.created", matches: false),
        Match(pattern: "*", type: "anything.at_all", matches: true),
        Match(pattern: "*", type: "", matches: true),
        // Thin types match like snapshot types.
        Match(pattern: "v2.core.account.*", type: "v2.core.account.updated", matches: true),
        Match(pattern: "v2.core.account.*", type: "v2.core.account_link.returned", matches: false),
        Match(pattern: "v2.core.account.*", type: "v2.core.account[configuration.merchant].updated", matches: false),
        Match(pattern: "v2.core.account[configuration.merchant].*", type: "v2.core.account[configuration.merchant].updated", matches: true),
        Match(pattern: "v2.core.account[configuration.merchant].updated", type: "v2.core.account[configuration.merchant].updated", matches: true),
        Match(pattern: "v1.billing.meter.*", type: "v1.billing.meter.error_report_triggered", matches: true),
        Match(pattern: "billing.meter.*", type: "v1.billing.meter.error_report_triggered", matches: false),
    ])
    func pattern_matchesBySegments(_ match: Match) throws {
        let pattern = try EventPattern(match.pattern)
        #expect(pattern.matches(EventType(match.type)) == match.matches)
        #expect(pattern.description == match.pattern)
    }

    /// Text that is not a pattern, and a phrase the error must contain.
    struct Invalid: Sendable, CustomTestStringConvertible {
        let text: String
        let mentions: String
        var testDescription: String { text.debugDescription }
    }

    @Test(arguments: [
        Invalid(text: "", mentions: "empty"),
        Invalid(text: " invoice.paid", mentions: "whitespace"),
        Invalid(text: "invoice .paid", mentions: "whitespace"),
        Invalid(text: "**", mentions: "`*` may only"),
        Invalid(text: "inv*", mentions: "`*` may only"),
        Invalid(text: "invoice.pa*", mentions: "`*` may only"),
        Invalid(text: "*.paid", mentions: "`*` may only"),
        Invalid(text: "invoice.*.paid", mentions: "`*` may only"),
        Invalid(text: "invoice.**", mentions: "`*` may only"),
        Invalid(text: "invoice.", mentions: "empty segment"),
        Invalid(text: ".paid", mentions: "empty segment"),
        Invalid(text: "invoice..paid", mentions: "empty segment"),
        Invalid(text: "Invoice.Paid", mentions: "lowercase"),
        Invalid(text: "invoice-paid", mentions: "lowercase"),
    ])
    func invalidText_isRejectedWithWhatIsExpected(_ invalid: Invalid) {
        do {
            let pattern = try EventPattern(invalid.text)
            Issue.record("accepted as \(pattern)")
        } catch {
            #expect(error.text == invalid.text)
            #expect(error.message.contains(invalid.mentions), "\(error.message)")
            #expect(error.message.contains("`invoice.paid`") && error.message.contains("`invoice.*`"))
        }
    }

    @Test func catchAll_andExactly() throws {
        #expect(try EventPattern("*") == .all)
        #expect(EventPattern.all.isCatchAll)
        #expect(try !EventPattern("invoice.*").isCatchAll)
        #expect(EventPattern.exactly(.invoicePaid) == (try EventPattern("invoice.paid")))
        #expect(EventPattern.exactly(.invoicePaid).matches(.invoicePaid))
        #expect(!EventPattern.exactly(.invoicePaid).matches(.invoiceCreated))
    }
}
