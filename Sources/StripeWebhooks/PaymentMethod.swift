/// A PaymentMethod (`object: payment_method`), as found in `payment_method.*` events.
public struct PaymentMethod: StripeObject, Equatable {
    /// `payment_method`.
    public static let objectType = "payment_method"

    /// `pm_...`.
    public let id: String?
    /// The method's type, e.g. `card`, `sepa_debit`, `us_bank_account` (an open set).
    public let type: String?
    /// The customer it is attached to (`cus_...`), also when expanded; nil when detached.
    public let customer: String?
    /// `card.brand`, e.g. `visa`, for card methods.
    public let cardBrand: String?
    /// `card.last4`, for card methods.
    public let cardLast4: String?

    /// Reads a PaymentMethod; nil unless `json` is an object with `object: payment_method`.
    public init?(json: JSONValue) {
        guard let members = Self.members(of: json) else { return nil }
        id = members.string("id")
        type = members.string("type")
        customer = members.expandableID("customer")
        cardBrand = members["card"]?["brand"]?.stringValue
        cardLast4 = members["card"]?["last4"]?.stringValue
    }
}
