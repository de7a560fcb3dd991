/// A PaymentIntent (`object: payment_intent`), as found in `payment_intent.*` events.
public struct PaymentIntent: StripeObject, Equatable {
    /// `payment_intent`.
    public static let objectType = "payment_intent"

    /// `pi_...`.
    public let id: String?
    /// Amount intended to be collected, in the currency's smallest unit.
    public let amount: Int64?
    /// Amount actually received.
    public let amountReceived: Int64?
    /// Three-letter ISO currency code, lowercase.
    public let currency: String?
    /// e.g. `requires_payment_method`, `processing`, `succeeded`, `canceled` (an open set).
    public let status: String?
    /// The customer's id (`cus_...`), also when expanded.
    public let customer: String?
    /// The payment method's id (`pm_...`), also when expanded.
    public let paymentMethod: String?
    /// The latest charge's id (`ch_...`), also when expanded.
    public let latestCharge: String?
    /// `last_payment_error.code`, e.g. `card_declined`, after a failed attempt.
    public let lastPaymentErrorCode: String?
    /// Your key-value metadata; empty when absent.
    public let metadata: [String: String]

    /// Reads a PaymentIntent; nil unless `json` is an object with `object: payment_intent`.
    public init?(json: JSONValue) {
        guard let members = Self.members(of: json) else { return nil }
        id = members.string("id")
        amount = members.int64("amount")
        amountReceived = members.int64("amount_received")
        currency = members.string("currency")
        status = members.string("status")
        customer = members.expandableID("customer")
        paymentMethod = members.expandableID("payment_method")
        latestCharge = members.expandableID("latest_charge")
        lastPaymentErrorCode = members["last_payment_error"]?["code"]?.stringValue
        metadata = members.stringMap("metadata")
    }
}
