extension PostgreSQLEventStore {
    /// How a PostgreSQL store connects, batches and leases; every limit has a documented default.
    public struct Options: Sendable, Equatable {
        /// Check the schema without migrating and start no writer, listener or lease renewal; every
        /// write fails with `.readOnly` (operator commands that only read). Default `false`.
        public var readOnly: Bool
        /// How long a claim lasts unless renewed. The store renews its claims every third of it while
        /// its handlers run; when an instance dies, another takes its events over once it lapses.
        /// Default 30 s (config `claim_lease_seconds`).
        public var leaseDuration: Duration
        /// Most jobs (inserts and other writes) committed in one transaction. Default 1,024.
        public var maxBatch: Int
        /// Writes allowed to wait for the writer; beyond this an insert fails at once with
        /// `.unavailable` (503). Default 65,536.
        public var maxQueuedInserts: Int
        /// How long connecting may take (libpq `connect_timeout`, whole seconds). Default 5 s.
        public var connectTimeout: Duration
        /// Longest a statement, or its wait for a lock, may take before it fails (`statement_timeout`,
        /// `lock_timeout`): a hung server fails writes instead of holding them forever. Default 30 s.
        public var statementTimeout: Duration
        /// The wait after a failed connection attempt; it doubles after each failure. Default 250 ms.
        public var reconnectDelay: Duration
        /// The longest wait between connection attempts. Default 5 s.
        public var maxReconnectDelay: Duration
        /// How often idle workers look for due events when no notification came (retries that fell
        /// due, a missed notification while the listener reconnected). Default 1 s.
        public var pollInterval: Duration
        /// Events deleted per transaction by `prune`. Default 5,000.
        public var pruneBatch: Int
        /// The id claims are made under; default `HOSTNAME:PID:RANDOM`, unique per opened store.
        public var owner: String?

        /// Creates options; every parameter has the documented default.
        /// - Parameters:
        ///   - readOnly: check the schema only and refuse writes.
        ///   - leaseDuration: claim lease.
        ///   - maxBatch: jobs per transaction.
        ///   - maxQueuedInserts: inserts allowed to wait.
        ///   - connectTimeout: connection timeout.
        ///   - statementTimeout: statement and lock timeout.
        ///   - reconnectDelay: first wait between connection attempts.
        ///   - maxReconnectDelay: longest wait between connection attempts.
        ///   - pollInterval: idle polling interval.
        ///   - pruneBatch: deletions per prune transaction.
        ///   - owner: claim owner id.
        public init(
            readOnly: Bool = false, leaseDuration: Duration = .seconds(30), maxBatch: Int = 1_024, maxQueuedInserts: Int = 65_536,
            connectTimeout: Duration = .seconds(5), statementTimeout: Duration = .seconds(30), reconnectDelay: Duration = .milliseconds(250),
            maxReconnectDelay: Duration = .seconds(5), pollInterval: Duration = .seconds(1), pruneBatch: Int = 5_000, owner: String? = nil
        ) {
            self.readOnly = readOnly
            self.leaseDuration = leaseDuration
            self.maxBatch = maxBatch
            self.maxQueuedInserts = maxQueuedInserts
            self.connectTimeout = connectTimeout
            self.statementTimeout = statementTimeout
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.pollInterval = pollInterval
            self.pruneBatch = pruneBatch
            self.owner = owner
        }
    }
}
