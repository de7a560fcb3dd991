import Testing
@testable import StripeWebhooks

/// The Dispute view.
struct DisputeTests {
    /// A dispute sample and its expected status.
    struct Case: Sendable, CustomTestStringConvertible {
        let sample: String
        let status: String
        var testDescription: String { sample }
    }

    @Test(arguments: [
        Case(sample: "charge.dispute.created", status: "warning_needs_response"),
        Case(sample: "charge.dispute.closed", status: "warning_closed"),
    ])
    func sample_hasAmountReasonAndCharge(_ testCase: Case) throws {
        let event = try StripeEvent.decode(from: try Samples.bytes(testCase.sample))
        let dispute = try #require(event.object(as: Dispute.self))
        #expect(dispute.id == "dp_1Pgc71B7WZ01zgkWMevJiAUx")
        #expect(dispute.amount == 100)
        #expect(dispute.currency == "usd")
        #expect(dispute.reason == "general")
        #expect(dispute.status == testCase.status)
        #expect(dispute.charge == "ch_1PgafuB7WZ01zgkWXYmPNZs8")
        #expect(dispute.paymentIntent == "pi_1PgafyB7WZ01zgkWSjxsAJo3")
        #expect(dispute.evidenceDueBy == 1_786_924_799)
    }

    @Test func sparseDispute_readsAsNils() throws {
        let dispute = try #require(Dispute(json: try JSONParser().parse(#"{"object":"dispute"}"#)))
        #expect(dispute == Dispute(json: ["object": "dispute", "amount": .null, "evidence_details": .null]))
        #expect(dispute.id == nil)
        #expect(dispute.amount == nil)
        #expect(dispute.evidenceDueBy == nil)
    }
}
