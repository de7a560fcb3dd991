import Testing
@testable import StripeWebhooks

/// The Balance view.
struct BalanceTests {
    @Test func available_listsAmountsPerCurrency() throws {
        let event = try StripeEvent.decode(from: try Samples.bytes("balance.available"))
        #expect(event.objectID == nil)
        let balance = try #require(event.object(as: Balance.self))
        #expect(balance.available == [Balance.Amount(amount: 100, currency: "usd")])
        #expect(balance.pending == [Balance.Amount(amount: 0, currency: "usd")])
    }

    @Test func malformedEntries_areSkipped() throws {
        let json = try JSONParser().parse(#"""
            {"object":"balance","available":[{"amount":5,"currency":"eur"},{"amount":"7","currency":"usd"},{"currency":"gbp"},3],
             "pending":null}
            """#)
        let balance = try #require(Balance(json: json))
        #expect(balance.available == [Balance.Amount(amount: 5, currency: "eur")])
        #expect(balance.pending.isEmpty)
    }
}
