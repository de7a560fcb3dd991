/// An Invoice (`object: invoice`), as found in `invoice.*` events.
///
/// Many fields depend on the invoice's state: a draft has no `number` and no hosted URL, and the
/// preview sent with `invoice.upcoming` has no `id` at all.
public struct Invoice: StripeObject, Equatable {
    /// `invoice`.
    public static let objectType = "invoice"

    /// `in_...`; nil for `invoice.upcoming` previews.
    public let id: String?
    /// `draft`, `open`, `paid`, `uncollectible` or `void` (an open set).
    public let status: String?
    /// The customer-facing number, assigned on finalization; nil for drafts.
    public let number: String?
    /// Three-letter ISO currency code, lowercase.
    public let currency: String?
    /// Final amount due.
    public let amountDue: Int64?
    /// Amount paid so far.
    public let amountPaid: Int64?
    /// Amount still to pay.
    public let amountRemaining: Int64?
    /// Total after discounts and taxes.
    public let total: Int64?
    /// The customer's id (`cus_...`), also when expanded.
    public let customer: String?
    /// The subscription's id (`sub_...`): the top-level `subscription`, or, in API versions that moved it,
    /// `parent.subscription_details.subscription`.
    public let subscription: String?
    /// Why the invoice was created, e.g. `manual`, `subscription_cycle`, `upcoming` (an open set).
    public let billingReason: String?
    /// The hosted payment page; nil until finalized.
    public let hostedInvoiceURL: String?

    /// Reads an Invoice; nil unless `json` is an object with `object: invoice`.
    public init?(json: JSONValue) {
        guard let members = Self.members(of: json) else { return nil }
        id = members.string("id")
        status = members.string("status")
        number = members.string("number")
        currency = members.string("currency")
        amountDue = members.int64("amount_due")
        amountPaid = members.int64("amount_paid")
        amountRemaining = members.int64("amount_remaining")
        total = members.int64("total")
        customer = members.expandableID("customer")
        subscription = members.expandableID("subscription")
            ?? members["parent"]?["subscription_details"]?.objectValue?.expandableID("subscription")
        billingReason = members.string("billing_reason")
        hostedInvoiceURL = members.string("hosted_invoice_url")
    }
}
