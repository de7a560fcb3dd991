/// What the store's write path knows about itself right now, read without touching the disk: for
/// `/readyz`, which must tell the truth even while the disk hangs.
public struct EventStoreHealth: Sendable, Equatable {
    /// Why the store takes no write until the daemon restarts (its database file was removed,
    /// renamed or replaced while open); `nil` while the open file is still the one at its path.
    public var replaced: String?
    /// The error of the latest write that stored events (an insert batch, or a readiness probe, which
    /// inserts a probe event and rolls it back), when it failed and none has succeeded since.
    public var insertFailure: String?

    /// A healthy store: nothing replaced, inserts commit.
    public init(replaced: String? = nil, insertFailure: String? = nil) {
        self.replaced = replaced
        self.insertFailure = insertFailure
    }
}
