import Testing
@testable import StripeWebhooks

/// The Invoice view across an invoice's life.
struct InvoiceTests {
    /// What one invoice sample must show.
    struct Case: Sendable, CustomTestStringConvertible {
        let sample: String
        let id: String?
        let status: String
        let number: String?
        let amountDue: Int64
        let amountPaid: Int64
        let amountRemaining: Int64
        let subscription: String?
        let billingReason: String
        var testDescription: String { sample }
    }

    static let invoiceID = "in_1Pgc6tB7WZ01zgkWu9fdqL6I"
    static let number = "7FE1103-0001"

    @Test(arguments: [
        Case(sample: "invoice.created", id: invoiceID, status: "draft", number: nil, amountDue: 1000, amountPaid: 0,
             amountRemaining: 1000, subscription: nil, billingReason: "manual"),
        Case(sample: "invoice.finalized", id: invoiceID, status: "open", number: number, amountDue: 1000, amountPaid: 0,
             amountRemaining: 1000, subscription: nil, billingReason: "manual"),
        Case(sample: "invoice.payment_failed", id: invoiceID, status: "open", number: number, amountDue: 1000, amountPaid: 0,
             amountRemaining: 1000, subscription: nil, billingReason: "manual"),
        Case(sample: "invoice.paid", id: invoiceID, status: "paid", number: number, amountDue: 1000, amountPaid: 1000,
             amountRemaining: 0, subscription: nil, billingReason: "manual"),
        Case(sample: "invoice.payment_succeeded", id: invoiceID, status: "paid", number: number, amountDue: 1000,
             amountPaid: 1000, amountRemaining: 0, subscription: nil, billingReason: "manual"),
        Case(sample: "invoice.overdue", id: invoiceID, status: "open", number: number, amountDue: 1000, amountPaid: 0,
             amountRemaining: 1000, subscription: nil, billingReason: "manual"),
        Case(sample: "invoice.upcoming", id: nil, status: "draft", number: nil, amountDue: 2000, amountPaid: 0,
             amountRemaining: 2000, subscription: "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", billingReason: "upcoming"),
    ])
    func sample_showsTheInvoiceState(_ testCase: Case) throws {
        let event = try StripeEvent.decode(from: try Samples.bytes(testCase.sample))
        let invoice = try #require(event.object(as: Invoice.self))
        #expect(invoice.id == testCase.id)
        #expect(invoice.status == testCase.status)
        #expect(invoice.number == testCase.number)
        #expect(invoice.currency == "usd")
        #expect(invoice.amountDue == testCase.amountDue)
        #expect(invoice.amountPaid == testCase.amountPaid)
        #expect(invoice.amountRemaining == testCase.amountRemaining)
        #expect(invoice.total == testCase.amountDue)
        #expect(invoice.customer == "cus_QXg1o8vcGmoR32")
        #expect(invoice.subscription == testCase.subscription)
        #expect(invoice.billingReason == testCase.billingReason)
        #expect(invoice.hostedInvoiceURL == nil)
    }

    @Test func subscription_fallsBackToParentDetails() throws {
        let json = try JSONParser().parse(#"""
            {"object":"invoice","id":"in_2","hosted_invoice_url":"https://invoice.stripe.com/i/x",
             "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_9"}}}
            """#)
        let invoice = try #require(Invoice(json: json))
        #expect(invoice.subscription == "sub_9")
        #expect(invoice.hostedInvoiceURL == "https://invoice.stripe.com/i/x")
    }

    @Test func disputeSample_isNotAnInvoice() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("charge.dispute.created"))
        #expect(event.object(as: Invoice.self) == nil)
    }
}
