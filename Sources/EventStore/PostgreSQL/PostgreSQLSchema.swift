import WebhookSupport

/// The PostgreSQL store's tables and their migrations: numbered like SQLite's, applied under an
/// advisory lock so that daemons starting together migrate once, each in its own transaction; a
/// database migrated by a newer build is refused.
///
/// The immutable event (`events`) is apart from its handling state (`event_states`), which copies
/// the few immutable columns its indexes need (object, created, received) so that claims read one table.
enum PostgreSQLSchema {
    /// The advisory lock key migrations hold ("webhookd" in ASCII).
    static let migrationLock: Int64 = 0x7765_6268_6F6F_6B64

    /// The migrations, in order; number N is `migrations[N - 1]`.
    static let migrations: [String] = [
        """
        CREATE TABLE events (
            seq bigserial PRIMARY KEY,
            id text NOT NULL UNIQUE,
            type text NOT NULL,
            object_id text,
            created bigint NOT NULL,
            livemode boolean NOT NULL,
            account text,
            api_version text,
            body bytea NOT NULL,
            received_at bigint NOT NULL,
            verified_by text,
            source text NOT NULL DEFAULT 'webhook'
        );
        CREATE INDEX events_type ON events (type);
        CREATE TABLE event_states (
            seq bigint PRIMARY KEY REFERENCES events (seq) ON DELETE CASCADE,
            object_id text,
            created bigint NOT NULL,
            received_at bigint NOT NULL,
            status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at bigint,
            last_error text,
            updated_at bigint NOT NULL,
            replay integer NOT NULL DEFAULT 0,
            claimed_by text,
            claim_expires_at bigint
        );
        CREATE INDEX event_states_pending ON event_states (seq) WHERE status = 'pending';
        CREATE INDEX event_states_pending_object ON event_states (object_id, created, seq) WHERE status = 'pending';
        CREATE INDEX event_states_claimed_object ON event_states (object_id) WHERE status = 'pending' AND claimed_by IS NOT NULL;
        CREATE INDEX event_states_claimed_by ON event_states (claimed_by) WHERE claimed_by IS NOT NULL;
        CREATE INDEX event_states_done_object ON event_states (object_id, created) WHERE status = 'done';
        CREATE INDEX event_states_status_received ON event_states (status, received_at);
        CREATE TABLE handler_runs (
            id bigserial PRIMARY KEY,
            event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            replay integer NOT NULL,
            handler text NOT NULL,
            attempt integer NOT NULL,
            started_at bigint NOT NULL,
            finished_at bigint,
            succeeded boolean NOT NULL,
            error text,
            output text
        );
        CREATE INDEX handler_runs_event ON handler_runs (event_id, replay);
        CREATE TABLE handler_keys (
            handler text NOT NULL,
            key text NOT NULL,
            event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            claimed_at bigint NOT NULL,
            PRIMARY KEY (handler, key)
        );
        CREATE INDEX handler_keys_event ON handler_keys (event_id);
        CREATE TABLE store_checks (id integer PRIMARY KEY, checks bigint NOT NULL, checked_at bigint NOT NULL);
        INSERT INTO store_checks (id, checks, checked_at) VALUES (1, 0, 0);
        """,
        // 2: the console's reads (newest first, per object, handler runs by time).
        """
        CREATE INDEX events_received ON events (received_at, seq);
        CREATE INDEX events_object ON events (object_id, received_at, seq) WHERE object_id IS NOT NULL;
        CREATE INDEX handler_runs_started ON handler_runs (started_at);
        """,
    ]

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }

    /// Brings the database up to `currentVersion` under the migration lock; throws `.schema` when it
    /// is newer than this build knows.
    static func migrate(_ connection: PostgreSQLConnection, now: Int64, logger: Logger) throws(EventStoreError) {
        try connection.run("SELECT pg_advisory_lock($1)", [.integer(migrationLock)])
        defer { _ = try? connection.run("SELECT pg_advisory_unlock($1)", [.integer(migrationLock)]) }
        try connection.execute("CREATE TABLE IF NOT EXISTS webhookd_schema_migrations (version integer PRIMARY KEY, migrated_at bigint NOT NULL)")
        var version = try self.version(connection)
        try refuseNewer(version, connection)
        while version < currentVersion {
            let next = version + 1
            try connection.execute("BEGIN")
            do throws(EventStoreError) {
                try connection.execute(migrations[next - 1])
                try connection.run("INSERT INTO webhookd_schema_migrations (version, migrated_at) VALUES ($1, $2)", [.int(next), .integer(now)])
                try connection.execute("COMMIT")
            } catch {
                if !connection.isBroken { try? connection.execute("ROLLBACK") }
                throw EventStoreError(error.kind, "migration \(next) failed: \(error.message)")
            }
            logger.notice("event store migrated", metadata: ["store.schema_version": String(next)])
            version = next
        }
    }

    /// Throws `.schema` unless the database is at `currentVersion` (operator commands: no migration).
    static func check(_ connection: PostgreSQLConnection) throws(EventStoreError) {
        let exists = try connection.queryFirst("SELECT to_regclass('webhookd_schema_migrations') IS NOT NULL")?.bool(0) ?? false
        let version = exists ? try self.version(connection) : 0
        try refuseNewer(version, connection)
        guard version == currentVersion else {
            throw EventStoreError(.schema, "PostgreSQL at \(connection.label): the event store's schema is at version \(version), this build needs \(currentVersion); start the daemon once to migrate it")
        }
    }

    /// The highest applied migration.
    private static func version(_ connection: PostgreSQLConnection) throws(EventStoreError) -> Int {
        try connection.queryFirst("SELECT coalesce(max(version), 0) FROM webhookd_schema_migrations")?.int(0) ?? 0
    }

    /// Throws `.schema` when `version` is newer than this build's.
    private static func refuseNewer(_ version: Int, _ connection: PostgreSQLConnection) throws(EventStoreError) {
        guard version <= currentVersion else {
            throw EventStoreError(.schema, "PostgreSQL at \(connection.label): the event store's schema is at version \(version), newer than this build knows (\(currentVersion)); upgrade stripe-webhookd")
        }
    }
}
