/// What `EventStore.reportAndClaim` did: how recording the previous batch's outcomes went, and the
/// next batch of claimed events.
public struct ClaimTurn: Sendable {
    /// Each outcome's error, or `nil` when it was recorded, in the order given.
    public var reportErrors: [EventStoreError?]
    /// The newly claimed events, or why none could be claimed.
    public var claimed: Result<[WorkItem], EventStoreError>

    /// Creates a turn's result.
    public init(reportErrors: [EventStoreError?], claimed: Result<[WorkItem], EventStoreError>) {
        self.reportErrors = reportErrors
        self.claimed = claimed
    }
}

extension EventStore {
    /// `report(outcomes)`, then `claimDue(now:limit:)`. A store that can do both in one write (the
    /// SQLite store: one transaction, one fsync) overrides it.
    public func reportAndClaim(_ outcomes: [EventOutcome], now: Int64, limit: Int) -> ClaimTurn {
        let errors = outcomes.isEmpty ? [] : report(outcomes)
        return ClaimTurn(reportErrors: errors, claimed: Result { () throws(EventStoreError) in try claimDue(now: now, limit: limit) })
    }
}
