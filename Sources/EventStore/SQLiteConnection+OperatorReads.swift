/// Reads for operator commands: "which event holds this one back?" (`events show`, `events list`),
/// asked as the claim condition asks, from the same partial indexes; and what a prune would delete.
extension SQLiteConnection {
    /// The first pending event about the same object ahead of it (Stripe's created order, ties by arrival) as pending event `eventID`, else another
    /// event about it claimed at `now`; `nil` when nothing holds it back (see `EventStore.blockingEvent`).
    func blockingEvent(of eventID: String, now: Int64) throws(EventStoreError) -> StoredEvent? {
        let waiting = try queryFirst(
            """
            SELECT seq, object_id, created FROM events WHERE id = ?1 AND status = 'pending' AND object_id IS NOT NULL
              AND (claimed_by IS NULL OR claim_expires_at <= ?2)
            """, [.text(eventID), .integer(now)]
        ) { (sequence: $0.int64(0), object: $0.text(1), created: $0.int64(2)) }
        guard let waiting else { return nil }
        // Per object, pending events are handled in Stripe's created order, ties by arrival (migration 7).
        // The object's first pending event, when it comes before this one (the row value is compared
        // on one row only: as an index range it reads every event of the same second; migration 10).
        if let older = try queryFirst("""
            SELECT * FROM (
                SELECT \(Self.eventColumns) FROM events INDEXED BY events_pending_object_created
                WHERE status = 'pending' AND object_id = ?1 ORDER BY created, seq LIMIT 1)
            WHERE (created, seq) < (?3, ?2)
            """, [.text(waiting.object), .integer(waiting.sequence), .integer(waiting.created)], Self.storedEvent(from:)) {
            return older
        }
        return try queryFirst("""
            SELECT \(Self.eventColumns) FROM events INDEXED BY events_claimed_object
            WHERE status = 'pending' AND claimed_by IS NOT NULL AND object_id = ?1 AND seq <> ?2 AND claim_expires_at > ?3
            ORDER BY seq LIMIT 1
            """, [.text(waiting.object), .integer(waiting.sequence), .integer(now)], Self.storedEvent(from:))
    }
}

extension SQLiteConnection {
    /// The events `pruneChunk` would delete with the same cutoff, counted by status.
    func prunableCounts(olderThan cutoff: Int64, includeFailed: Bool) throws(EventStoreError) -> [EventStatus: Int] {
        let statuses = includeFailed ? "'done', 'failed'" : "'done'"
        let rows = try query("""
            SELECT status, count(*) FROM events INDEXED BY events_received
            WHERE received_at < ? AND status IN (\(statuses)) GROUP BY status
            """, [.integer(cutoff)]) { (status: EventStatus(rawValue: $0.text(0)), count: $0.int(1)) }
        var counts: [EventStatus: Int] = [:]
        for row in rows { if let status = row.status { counts[status] = row.count } }
        return counts
    }
}
