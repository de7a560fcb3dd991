extension SQLiteEventStore {
    /// How a SQLite store is opened and how its writer batches; every limit has a documented default.
    public struct Options: Sendable, Equatable {
        /// Open with `SQLITE_OPEN_READONLY` for operator commands (`events list/show`): no writer thread,
        /// no migration, no lock taken; every write fails with `.readOnly`. Default `false`.
        public var readOnly: Bool
        /// How long a statement waits for another connection's lock (an operator command, a backup)
        /// before failing with `.unavailable`. Default 5 s.
        public var busyTimeout: Duration
        /// Most jobs (inserts and other writes) committed in one transaction. Default 1,024.
        public var maxBatch: Int
        /// Writes allowed to wait for the writer; beyond this an insert fails at once with
        /// `.unavailable` (the daemon answers 503) instead of queueing without bound. Default 65,536.
        public var maxQueuedInserts: Int
        /// How long a claim lasts unless renewed (at every recorded handler run, or all of them with
        /// `renewClaims(now:)`). When it lapses, another instance may take the event over, and this
        /// instance takes it back once its worker has reported (or failed to report) on it. Keep it
        /// above the longest handler timeout. Default 10 min.
        public var leaseDuration: Duration
        /// Cap on the database size in bytes (`PRAGMA max_page_count`): past it inserts fail with
        /// `.unavailable` (SQLite's "database or disk is full") until events are pruned. Default none.
        public var maxDatabaseBytes: Int64?
        /// Events deleted per transaction by `prune`, so that a large prune never holds the write lock
        /// for long. Default 5,000.
        public var pruneBatch: Int
        /// The id claims are made under; default `HOSTNAME:PID:RANDOM`, unique per opened store.
        public var owner: String?
        /// Take the store's owner lock (`flock` on `<path>.lock`, holding this process's PID) before
        /// opening, and fail with `.unavailable` naming the owner's PID when another instance holds
        /// it: the daemon does, so that one daemon owns a store (its start-up recovery releases every
        /// other instance's claims). Operator commands do not. The owner also checkpoints the
        /// write-ahead log into the database file at `close()`. Ignored when `readOnly`. Default `false`.
        public var ownerLock: Bool
        /// WAL pages (frames) after which the writer copies the write-ahead log into the database file
        /// (a checkpoint), once the batch that reached them was answered; the WAL file then starts
        /// over. A page changed again before the checkpoint is copied once, so a longer interval writes
        /// less to the database file (8 MB of WAL at 2 KiB pages). Default 4,000 (SQLite's is 1,000).
        public var checkpointPages: Int

        /// Creates options; every parameter has the documented default.
        /// - Parameters:
        ///   - readOnly: open read-only for operator commands.
        ///   - busyTimeout: wait for other connections' locks.
        ///   - maxBatch: jobs per transaction.
        ///   - maxQueuedInserts: inserts allowed to wait.
        ///   - leaseDuration: claim lease.
        ///   - maxDatabaseBytes: database size cap.
        ///   - pruneBatch: deletions per prune transaction.
        ///   - owner: claim owner id.
        ///   - ownerLock: take the owner lock.
        ///   - checkpointPages: WAL pages between checkpoints.
        public init(
            readOnly: Bool = false, busyTimeout: Duration = .seconds(5), maxBatch: Int = 1_024,
            maxQueuedInserts: Int = 65_536, leaseDuration: Duration = .seconds(600), maxDatabaseBytes: Int64? = nil,
            pruneBatch: Int = 5_000, owner: String? = nil, ownerLock: Bool = false, checkpointPages: Int = 4_000
        ) {
            self.checkpointPages = checkpointPages
            self.ownerLock = ownerLock
            self.readOnly = readOnly
            self.busyTimeout = busyTimeout
            self.maxBatch = maxBatch
            self.maxQueuedInserts = maxQueuedInserts
            self.leaseDuration = leaseDuration
            self.maxDatabaseBytes = maxDatabaseBytes
            self.pruneBatch = pruneBatch
            self.owner = owner
        }

        /// Options for an operator command that only reads.
        public static var readOnly: Options { Options(readOnly: true) }
    }
}

extension Duration {
    /// The duration in whole milliseconds, saturating.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled + attoseconds / 1_000_000_000_000_000
    }
}
