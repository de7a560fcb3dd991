/// What one catch-up from the Events API did.
struct CatchUpReport: Sendable, Equatable {
    /// Events the Events API listed (after the type filter).
    var fetched = 0
    /// Of those, newly stored (or, in a dry run, that would be).
    var stored = 0
    /// Of those, already stored (delivered, or caught up before): counted and skipped.
    var skipped = 0
    /// Listed events the daemon cannot store (no usable envelope); counted, not stored.
    var unusable = 0
}
