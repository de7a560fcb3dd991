extension SQLiteEventStore {
    /// Returns events this instance claimed and did not start to pending (see `EventStore.release(eventIDs:)`).
    @discardableResult
    public func release(eventIDs: [String]) throws(EventStoreError) -> Int {
        guard !eventIDs.isEmpty else { return 0 }
        let owner = self.owner
        let released = try write("release \(eventIDs.count) claimed events") { connection throws(EventStoreError) in
            try connection.release(eventIDs: eventIDs, owner: owner)
        }
        inFlight.withLock { running in for id in eventIDs { running.remove(id) } }
        return released
    }
}

extension SQLiteConnection {
    /// Ends `owner`'s claims on `eventIDs` without a run: pending and unclaimed again, due as they were,
    /// the claim's attempt taken back. Returns how many claims it ended.
    func release(eventIDs: [String], owner: String) throws(EventStoreError) -> Int {
        var released = 0
        for id in eventIDs {
            released += try run("""
                UPDATE events SET claimed_by = NULL, claim_expires_at = NULL, attempts = max(attempts - 1, 0)
                WHERE id = ? AND status = 'pending' AND claimed_by = ?
                """, [.text(id), .text(owner)])
        }
        return released
    }
}
