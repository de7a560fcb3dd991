/// An account Balance (`object: balance`), as found in `balance.available` events; it has no id.
public struct Balance: StripeObject, Equatable {
    /// `balance`.
    public static let objectType = "balance"

    /// One amount in one currency.
    public struct Amount: Sendable, Hashable {
        /// The amount, in the currency's smallest unit.
        public let amount: Int64
        /// Three-letter ISO currency code, lowercase.
        public let currency: String

        /// Creates an amount.
        public init(amount: Int64, currency: String) {
            self.amount = amount
            self.currency = currency
        }
    }

    /// Funds available to pay out, one entry per currency.
    public let available: [Amount]
    /// Funds not yet available, one entry per currency.
    public let pending: [Amount]

    /// Reads a Balance; nil unless `json` is an object with `object: balance`.
    ///
    /// Entries without an integer `amount` and a string `currency` are skipped.
    public init?(json: JSONValue) {
        guard let members = Self.members(of: json) else { return nil }
        available = Self.amounts(members["available"])
        pending = Self.amounts(members["pending"])
    }

    /// The well-formed `{amount, currency}` entries of an array.
    private static func amounts(_ value: JSONValue?) -> [Amount] {
        (value?.arrayValue ?? []).compactMap { entry in
            guard let amount = entry["amount"]?.int64Value, let currency = entry["currency"]?.stringValue else {
                return nil
            }
            return Amount(amount: amount, currency: currency)
        }
    }
}
