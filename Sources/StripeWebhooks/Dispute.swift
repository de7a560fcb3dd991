/// A Dispute (`object: dispute`), as found in `charge.dispute.*` events.
public struct Dispute: StripeObject, Equatable {
    /// `dispute`.
    public static let objectType = "dispute"

    /// `dp_...`.
    public let id: String?
    /// Disputed amount, in the currency's smallest unit.
    public let amount: Int64?
    /// Three-letter ISO currency code, lowercase.
    public let currency: String?
    /// e.g. `fraudulent`, `product_not_received`, `general` (an open set).
    public let reason: String?
    /// e.g. `warning_needs_response`, `needs_response`, `won`, `lost` (an open set).
    public let status: String?
    /// The disputed charge's id (`ch_...`), also when expanded.
    public let charge: String?
    /// The PaymentIntent behind the charge (`pi_...`), also when expanded.
    public let paymentIntent: String?
    /// `evidence_details.due_by`: the Unix time by which evidence must be submitted.
    public let evidenceDueBy: Int64?

    /// Reads a Dispute; nil unless `json` is an object with `object: dispute`.
    public init?(json: JSONValue) {
        guard let members = Self.members(of: json) else { return nil }
        id = members.string("id")
        amount = members.int64("amount")
        currency = members.string("currency")
        reason = members.string("reason")
        status = members.string("status")
        charge = members.expandableID("charge")
        paymentIntent = members.expandableID("payment_intent")
        evidenceDueBy = members["evidence_details"]?["due_by"]?.int64Value
    }
}
