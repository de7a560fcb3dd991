extension SQLiteEventStore {
    /// Claims a handler's dedupe key for an event on the writer thread (see `EventStore.claimHandlerKey`):
    /// the writer runs one write at a time, so two workers claiming the same key get the same holder.
    public func claimHandlerKey(handler: String, key: String, eventID: String, now: Int64) throws(EventStoreError) -> String {
        try write("claim dedupe key for \(handler)") { connection throws(EventStoreError) in
            try connection.claimHandlerKey(handler: handler, key: key, eventID: eventID, now: now)
        }
    }
}

extension SQLiteConnection {
    /// Inserts the key for `eventID` unless it is held, then returns the holder.
    func claimHandlerKey(handler: String, key: String, eventID: String, now: Int64) throws(EventStoreError) -> String {
        try run("""
            INSERT INTO handler_keys (handler, key, event_id, claimed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (handler, key) DO NOTHING
            """, [.text(handler), .text(key), .text(eventID), .integer(now)])
        guard let holder = try queryFirst(
            "SELECT event_id FROM handler_keys WHERE handler = ? AND key = ?", [.text(handler), .text(key)], { $0.text(0) }
        ) else {
            throw EventStoreError(.unavailable, "dedupe key for \(handler): not found right after it was claimed")
        }
        return holder
    }
}
