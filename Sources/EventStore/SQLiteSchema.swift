import WebhookSupport

/// The event database's schema: an ordered list of migrations, the version reached kept in
/// `PRAGMA user_version` and each applied migration listed in `schema_migrations`.
enum SQLiteSchema {
    /// One step from version `version - 1` to `version`.
    struct Migration {
        /// The version the database has after this step.
        let version: Int64
        /// What the step does, for `schema_migrations` and the log.
        let summary: String
        /// The statements, run in the migration's transaction.
        let sql: String
    }

    /// `PRAGMA application_id` of our databases ("SWHD"), so that another program's file is refused.
    static let applicationID: Int64 = 0x5357_4844

    /// Every migration, in order; append, never edit one that has shipped.
    static let migrations: [Migration] = [
        Migration(version: 1, summary: "events, handler runs, migrations", sql: """
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                object_id TEXT,
                created INTEGER NOT NULL,
                livemode INTEGER NOT NULL CHECK (livemode IN (0, 1)),
                account TEXT,
                api_version TEXT,
                body BLOB NOT NULL,
                received_at INTEGER NOT NULL,
                verified_by TEXT,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER,
                last_error TEXT,
                updated_at INTEGER NOT NULL,
                replay INTEGER NOT NULL DEFAULT 0,
                claimed_by TEXT,
                claim_expires_at INTEGER
            );
            -- Claiming walks pending events in the order received.
            CREATE INDEX events_pending ON events (seq) WHERE status = 'pending';
            -- "Is an older or claimed event pending for this object?"
            CREATE INDEX events_pending_object ON events (object_id, seq) WHERE status = 'pending' AND object_id IS NOT NULL;
            CREATE INDEX events_status ON events (status, seq);
            CREATE INDEX events_received ON events (received_at);
            CREATE TABLE handler_runs (
                event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                replay INTEGER NOT NULL,
                handler TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
                error TEXT,
                output TEXT
            );
            CREATE INDEX handler_runs_event ON handler_runs (event_id, replay, handler);
            CREATE TABLE schema_migrations (
                version INTEGER PRIMARY KEY,
                summary TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            );
            """),
        Migration(version: 2, summary: "handler dedupe keys", sql: """
            -- One row per (handler, dedupe key value): the event that runs the handler for that key.
            CREATE TABLE handler_keys (
                handler TEXT NOT NULL,
                key TEXT NOT NULL,
                event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                claimed_at INTEGER NOT NULL,
                PRIMARY KEY (handler, key)
            ) WITHOUT ROWID;
            -- Pruning an event deletes its keys through this index.
            CREATE INDEX handler_keys_event ON handler_keys (event_id);
            """),
        Migration(version: 3, summary: "claim candidates", sql: """
            -- The only events a claim has to look at: the oldest pending event about each object and every
            -- pending event about no object. Without it, a claim walks every pending event that waits
            -- behind an older one about the same object: with thousands of updates to one object queued,
            -- every poll read thousands of rows. Triggers keep it exact whatever statement changes events.
            CREATE TABLE claim_candidates (seq INTEGER PRIMARY KEY);
            INSERT INTO claim_candidates (seq)
                SELECT e.seq FROM events AS e
                WHERE e.status = 'pending' AND (e.object_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM events AS o INDEXED BY events_pending_object
                    WHERE o.status = 'pending' AND o.object_id = e.object_id AND o.seq < e.seq));
            -- A new pending event is a candidate when nothing about its object is pending yet.
            CREATE TRIGGER claim_candidates_on_insert AFTER INSERT ON events WHEN NEW.status = 'pending'
            BEGIN
                INSERT OR IGNORE INTO claim_candidates (seq) SELECT NEW.seq
                WHERE NEW.object_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM events AS o INDEXED BY events_pending_object
                    WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.seq < NEW.seq);
            END;
            -- An event that is done or failed hands its place to the next pending event about its object.
            CREATE TRIGGER claim_candidates_on_leave AFTER UPDATE OF status ON events
            WHEN OLD.status = 'pending' AND NEW.status <> 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE seq = OLD.seq;
                INSERT OR IGNORE INTO claim_candidates (seq)
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object
                    WHERE NEW.object_id IS NOT NULL AND o.status = 'pending' AND o.object_id = NEW.object_id
                    ORDER BY o.seq LIMIT 1;
            END;
            -- A requeued event goes ahead of newer pending events about its object.
            CREATE TRIGGER claim_candidates_on_requeue AFTER UPDATE OF status ON events
            WHEN OLD.status <> 'pending' AND NEW.status = 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE NEW.object_id IS NOT NULL AND seq > NEW.seq AND seq = (
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object
                    WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.seq <> NEW.seq
                    ORDER BY o.seq LIMIT 1);
                INSERT OR IGNORE INTO claim_candidates (seq) SELECT NEW.seq
                WHERE NEW.object_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM events AS o INDEXED BY events_pending_object
                    WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.seq < NEW.seq);
            END;
            -- Pending events are never pruned; should one be deleted anyway, the next one takes its place.
            CREATE TRIGGER claim_candidates_on_delete AFTER DELETE ON events WHEN OLD.status = 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE seq = OLD.seq;
                INSERT OR IGNORE INTO claim_candidates (seq)
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object
                    WHERE OLD.object_id IS NOT NULL AND o.status = 'pending' AND o.object_id = OLD.object_id
                    ORDER BY o.seq LIMIT 1;
            END;
            """),
        Migration(version: 4, summary: "indexes for claims and failed events instead of by status", sql: """
            -- "Is another event about this object claimed?" without reading every pending row about it
            -- (their leases are not in events_pending_object).
            CREATE INDEX events_claimed_object ON events (object_id, claim_expires_at)
                WHERE status = 'pending' AND claimed_by IS NOT NULL AND object_id IS NOT NULL;
            -- Every insert paid for (status, seq); only the rare statuses need an index: pending has
            -- events_pending, failed (dead letters, listed and requeued by operators) gets its own, and
            -- done, the common one, is found by walking seq.
            DROP INDEX events_status;
            CREATE INDEX events_failed ON events (seq) WHERE status = 'failed';
            """),
        Migration(version: 5, summary: "store checks for readiness", sql: """
            -- One row that /readyz rewrites: a write that changes a value, so that its commit reaches
            -- the disk (SQLite writes nothing for an empty transaction or an unchanged row).
            CREATE TABLE store_checks (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                checks INTEGER NOT NULL,
                checked_at INTEGER NOT NULL
            );
            INSERT INTO store_checks (id, checks, checked_at) VALUES (1, 0, 0);
            """),
        Migration(version: 6, summary: "event source, done events by object and created", sql: """
            -- Where each event came from: 'webhook' (a verified delivery) or 'backfill' (Stripe's Events
            -- API). Every event stored before this version was a delivery.
            ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'backfill'));
            -- "Was a later-created event about this object handled already?" (stale events), one lookup per claim.
            CREATE INDEX events_done_object ON events (object_id, created) WHERE status = 'done' AND object_id IS NOT NULL;
            """),
        Migration(version: 7, summary: "claims per object in Stripe's created order", sql: """
            -- Stripe does not deliver in order: per object, the pending event handled next is the one
            -- Stripe created first (ties by arrival), not the one that arrived first. The candidates of
            -- migration 3 and their triggers follow (created, seq) instead of seq.
            CREATE INDEX events_pending_object_created ON events (object_id, created, seq) WHERE status = 'pending' AND object_id IS NOT NULL;
            DROP TRIGGER claim_candidates_on_insert;
            DROP TRIGGER claim_candidates_on_leave;
            DROP TRIGGER claim_candidates_on_requeue;
            DROP TRIGGER claim_candidates_on_delete;
            -- Replaced by events_pending_object_created: every insert paid for both.
            DROP INDEX events_pending_object;
            DELETE FROM claim_candidates;
            INSERT INTO claim_candidates (seq)
                SELECT e.seq FROM events AS e
                WHERE e.status = 'pending' AND (e.object_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                    WHERE o.status = 'pending' AND o.object_id = e.object_id AND (o.created, o.seq) < (e.created, e.seq)));
            -- A new pending event created before its object's candidate (delivered late) takes its place;
            -- it is a candidate when no pending event about its object comes before it.
            CREATE TRIGGER claim_candidates_on_insert AFTER INSERT ON events WHEN NEW.status = 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE seq = (
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object_created
                    WHERE NEW.object_id IS NOT NULL AND o.status = 'pending' AND o.object_id = NEW.object_id
                      AND (o.created, o.seq) > (NEW.created, NEW.seq)
                    ORDER BY o.created, o.seq LIMIT 1);
                INSERT OR IGNORE INTO claim_candidates (seq) SELECT NEW.seq
                WHERE NEW.object_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                    WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND (o.created, o.seq) < (NEW.created, NEW.seq));
            END;
            -- An event that is done or failed hands its place to the first pending event about its object.
            CREATE TRIGGER claim_candidates_on_leave AFTER UPDATE OF status ON events
            WHEN OLD.status = 'pending' AND NEW.status <> 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE seq = OLD.seq;
                INSERT OR IGNORE INTO claim_candidates (seq)
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object_created
                    WHERE NEW.object_id IS NOT NULL AND o.status = 'pending' AND o.object_id = NEW.object_id
                    ORDER BY o.created, o.seq LIMIT 1;
            END;
            -- A requeued event goes ahead of the pending events about its object created after it.
            CREATE TRIGGER claim_candidates_on_requeue AFTER UPDATE OF status ON events
            WHEN OLD.status <> 'pending' AND NEW.status = 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE seq = (
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object_created
                    WHERE NEW.object_id IS NOT NULL AND o.status = 'pending' AND o.object_id = NEW.object_id
                      AND (o.created, o.seq) > (NEW.created, NEW.seq)
                    ORDER BY o.created, o.seq LIMIT 1);
                INSERT OR IGNORE INTO claim_candidates (seq) SELECT NEW.seq
                WHERE NEW.object_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                    WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND (o.created, o.seq) < (NEW.created, NEW.seq));
            END;
            -- Pending events are never pruned; should one be deleted anyway, the next one takes its place.
            CREATE TRIGGER claim_candidates_on_delete AFTER DELETE ON events WHEN OLD.status = 'pending'
            BEGIN
                DELETE FROM claim_candidates WHERE seq = OLD.seq;
                INSERT OR IGNORE INTO claim_candidates (seq)
                    SELECT o.seq FROM events AS o INDEXED BY events_pending_object_created
                    WHERE OLD.object_id IS NOT NULL AND o.status = 'pending' AND o.object_id = OLD.object_id
                    ORDER BY o.created, o.seq LIMIT 1;
            END;
            """),
        Migration(version: 8, summary: "console: indexes and hourly counts", sql: """
            -- The console's event list pages newest first by (received_at, seq): events_received holds
            -- that order (its rowid is seq). These serve the filters that would otherwise scan it:
            -- events about one object (and the ones before and after an event), one type, dead letters.
            CREATE INDEX events_object ON events (object_id, received_at) WHERE object_id IS NOT NULL;
            CREATE INDEX events_type ON events (type, received_at);
            CREATE INDEX events_failed_received ON events (received_at) WHERE status = 'failed';
            -- Dead letters by type from the index alone (the overview's table and its replay buttons).
            CREATE INDEX events_failed_type ON events (type) WHERE status = 'failed';
            -- Events per hour by type and current status, kept by triggers, so that the overview's chart
            -- reads a few hundred rows instead of every event of the last 24 hours.
            CREATE TABLE event_hours (
                hour INTEGER NOT NULL,
                type TEXT NOT NULL,
                status TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (hour, type, status)
            ) WITHOUT ROWID;
            INSERT INTO event_hours (hour, type, status, count)
                SELECT received_at / 3600000, type, status, count(*) FROM events GROUP BY 1, 2, 3;
            CREATE TRIGGER event_hours_on_insert AFTER INSERT ON events
            BEGIN
                INSERT INTO event_hours (hour, type, status, count) VALUES (NEW.received_at / 3600000, NEW.type, NEW.status, 1)
                    ON CONFLICT (hour, type, status) DO UPDATE SET count = count + 1;
            END;
            CREATE TRIGGER event_hours_on_status AFTER UPDATE OF status ON events WHEN OLD.status <> NEW.status
            BEGIN
                UPDATE event_hours SET count = count - 1
                    WHERE hour = OLD.received_at / 3600000 AND type = OLD.type AND status = OLD.status;
                INSERT INTO event_hours (hour, type, status, count) VALUES (NEW.received_at / 3600000, NEW.type, NEW.status, 1)
                    ON CONFLICT (hour, type, status) DO UPDATE SET count = count + 1;
            END;
            CREATE TRIGGER event_hours_on_delete AFTER DELETE ON events
            BEGIN
                UPDATE event_hours SET count = count - 1
                    WHERE hour = OLD.received_at / 3600000 AND type = OLD.type AND status = OLD.status;
            END;
            -- Handler runs and failures per hour, for the overview's failure rates.
            CREATE TABLE handler_hours (
                hour INTEGER NOT NULL,
                handler TEXT NOT NULL,
                runs INTEGER NOT NULL,
                failures INTEGER NOT NULL,
                PRIMARY KEY (hour, handler)
            ) WITHOUT ROWID;
            INSERT INTO handler_hours (hour, handler, runs, failures)
                SELECT started_at / 3600000, handler, count(*), sum(1 - succeeded) FROM handler_runs GROUP BY 1, 2;
            CREATE TRIGGER handler_hours_on_insert AFTER INSERT ON handler_runs
            BEGIN
                INSERT INTO handler_hours (hour, handler, runs, failures) VALUES (NEW.started_at / 3600000, NEW.handler, 1, 1 - NEW.succeeded)
                    ON CONFLICT (hour, handler) DO UPDATE SET runs = runs + 1, failures = failures + (1 - NEW.succeeded);
            END;
            """),
        Migration(version: 9, summary: "event bodies apart from their handling state", sql: """
            -- A body never changes after the insert; the handling state beside it changes with every claim,
            -- attempt and completion. In one row, each of those updates rewrote the page that holds the
            -- 2.7 KB body (in the WAL, then again at the checkpoint): 45 KB written per handled event
            -- (issue 17). The bodies move to a table of their own, appended once and never rewritten;
            -- `events` keeps the small columns its indexes and the claims read (`seq` is the key of both).
            CREATE TABLE event_bodies (
                seq INTEGER PRIMARY KEY,
                body BLOB NOT NULL
            );
            INSERT INTO event_bodies (seq, body) SELECT seq, body FROM events ORDER BY seq;
            ALTER TABLE events DROP COLUMN body;
            -- A body goes with its event (prune). A trigger, not a foreign key: a foreign key would make
            -- every insert check its parent and keep a statement journal (see insertEventSQL).
            CREATE TRIGGER event_bodies_on_delete AFTER DELETE ON events
            BEGIN
                DELETE FROM event_bodies WHERE seq = OLD.seq;
            END;
            """),
        Migration(version: 10, summary: "claim candidates found by index ranges, not row values", sql: """
            -- Migration 7's triggers compared (created, seq) row values. SQLite 3.40 turns `(created, seq) <
            -- (c, s)` into the index range `created <= c` and filters the rest row by row, so every event
            -- about one object that Stripe created in the same second as the new one was read again: with
            -- a backlog about one PaymentIntent, each insert and each claim read the whole backlog (895
            -- req/s against 10.5k before, issue 17). Each comparison is now two index ranges that stop at
            -- the first row: an earlier second, or the same second and an earlier arrival.
            DROP TRIGGER claim_candidates_on_insert;
            DROP TRIGGER claim_candidates_on_requeue;
            -- A new pending event created before its object's candidate (delivered late) takes its place;
            -- it is a candidate when no pending event about its object comes before it.
            CREATE TRIGGER claim_candidates_on_insert AFTER INSERT ON events WHEN NEW.status = 'pending'
            BEGIN
            \(candidateTakeover)
            END;
            -- A requeued event goes ahead of the pending events about its object created after it.
            CREATE TRIGGER claim_candidates_on_requeue AFTER UPDATE OF status ON events
            WHEN OLD.status <> 'pending' AND NEW.status = 'pending'
            BEGIN
            \(candidateTakeover)
            END;
            """),
        // 11 is taken by a parallel branch (compressed bodies); the versions need not be contiguous.
        Migration(version: 12, summary: "handler runs keyed by the event's seq", sql: """
            -- handler_runs was keyed by the event's text id: Stripe's ids are random, so every recorded run
            -- inserted into a random leaf of handler_runs_event, a page written to the WAL and again at the
            -- checkpoint (7% of the WAL's pages, issue 17). Keyed by the event's seq, which grows with
            -- arrival (and events are handled soon after they arrive), runs go in at the index's tail. The
            -- id is not kept: readers know the seq of the event whose runs they read. SQLite cannot drop a
            -- foreign key in place, so the table is rebuilt, each run under its event's seq and its old rowid
            -- (the order runs were recorded in); a run whose event is gone (none: the cascade deleted them)
            -- would be dropped.
            CREATE TABLE handler_runs_by_seq (
                event_seq INTEGER NOT NULL,
                replay INTEGER NOT NULL,
                handler TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
                error TEXT,
                output TEXT
            );
            INSERT INTO handler_runs_by_seq (rowid, event_seq, replay, handler, attempt, started_at, finished_at, succeeded, error, output)
                SELECT r.rowid, e.seq, r.replay, r.handler, r.attempt, r.started_at, r.finished_at, r.succeeded, r.error, r.output
                FROM handler_runs AS r JOIN events AS e ON e.id = r.event_id ORDER BY r.rowid;
            -- Drops handler_runs_event and migration 8's handler_hours_on_insert with it.
            DROP TABLE handler_runs;
            ALTER TABLE handler_runs_by_seq RENAME TO handler_runs;
            CREATE INDEX handler_runs_event_seq ON handler_runs (event_seq, replay, handler);
            -- An event's runs go with it (prune), as the cascade did. A trigger, not a foreign key, for the
            -- same reason as event_bodies_on_delete (migration 9).
            CREATE TRIGGER handler_runs_on_delete AFTER DELETE ON events
            BEGIN
                DELETE FROM handler_runs WHERE event_seq = OLD.seq;
            END;
            -- Migration 8's trigger, unchanged, on the new table.
            CREATE TRIGGER handler_hours_on_insert AFTER INSERT ON handler_runs
            BEGIN
                INSERT INTO handler_hours (hour, handler, runs, failures) VALUES (NEW.started_at / 3600000, NEW.handler, 1, 1 - NEW.succeeded)
                    ON CONFLICT (hour, handler) DO UPDATE SET runs = runs + 1, failures = failures + (1 - NEW.succeeded);
            END;
            """),
        Migration(version: 13, summary: "latest handled event per object", sql: """
            -- The stale lookup of every claim ("the latest-created done event about this object, created
            -- after this one") read events_done_object (migration 6), an index of every done event ordered
            -- by object: each completion inserted into a random leaf of an index that only grows (13% of
            -- the WAL's pages, issue 17). object_progress holds the answer instead, one row per object: its
            -- done event with the greatest (created, seq), the one the index's last entry named (ties in
            -- created went to the later arrival). It is as large as the objects, not the events, and its
            -- rows small (the event's id is read by its seq, only for a stale event), so that a commit of
            -- a few dozen completions rewrites few of its pages.
            CREATE TABLE object_progress (
                object_id TEXT PRIMARY KEY,
                created INTEGER NOT NULL,
                seq INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO object_progress (object_id, created, seq)
                SELECT object_id, created, seq FROM (
                    SELECT object_id, created, seq,
                        row_number() OVER (PARTITION BY object_id ORDER BY created DESC, seq DESC) AS rank
                    FROM events WHERE status = 'done' AND object_id IS NOT NULL)
                WHERE rank = 1;
            -- A completion names its event when it comes after the object's latest.
            CREATE TRIGGER object_progress_on_done AFTER UPDATE OF status ON events
            WHEN NEW.status = 'done' AND OLD.status <> 'done' AND NEW.object_id IS NOT NULL
            BEGIN
                INSERT INTO object_progress (object_id, created, seq) VALUES (NEW.object_id, NEW.created, NEW.seq)
                    ON CONFLICT (object_id) DO UPDATE SET created = excluded.created, seq = excluded.seq
                    WHERE excluded.created > object_progress.created
                       OR (excluded.created = object_progress.created AND excluded.seq > object_progress.seq);
            END;
            -- The row stays exactly what the dropped index answered: when the event it names is no longer
            -- done (a forced replay requeued it) or no longer stored (prune), the next latest done event
            -- about the object takes its place, or the row goes. So a stale event never names an event that
            -- is gone (`events show`'s "stale: yes: evt_…" can be looked up), and pruning leaves no row for
            -- an object whose events are all pruned: the table does not outgrow the events it describes.
            -- The cost, a walk of the object's events in events_object, falls on requeues and prunes only.
            CREATE TRIGGER object_progress_on_requeue AFTER UPDATE OF status ON events
            WHEN OLD.status = 'done' AND NEW.status <> 'done' AND OLD.object_id IS NOT NULL
            BEGIN
                DELETE FROM object_progress WHERE object_id = OLD.object_id AND seq = OLD.seq;
                INSERT INTO object_progress (object_id, created, seq)
                    SELECT o.object_id, o.created, o.seq FROM events AS o INDEXED BY events_object
                    WHERE o.object_id = OLD.object_id AND o.status = 'done'
                      AND NOT EXISTS (SELECT 1 FROM object_progress AS p WHERE p.object_id = OLD.object_id)
                    ORDER BY o.created DESC, o.seq DESC LIMIT 1;
            END;
            CREATE TRIGGER object_progress_on_delete AFTER DELETE ON events
            WHEN OLD.status = 'done' AND OLD.object_id IS NOT NULL
            BEGIN
                DELETE FROM object_progress WHERE object_id = OLD.object_id AND seq = OLD.seq;
                INSERT INTO object_progress (object_id, created, seq)
                    SELECT o.object_id, o.created, o.seq FROM events AS o INDEXED BY events_object
                    WHERE o.object_id = OLD.object_id AND o.status = 'done'
                      AND NOT EXISTS (SELECT 1 FROM object_progress AS p WHERE p.object_id = OLD.object_id)
                    ORDER BY o.created DESC, o.seq DESC LIMIT 1;
            END;
            DROP INDEX events_done_object;
            """),
    ]

    /// Migration 10's trigger body for an event `NEW` that became pending (inserted or requeued): it
    /// takes the candidate's place from the first pending event about its object that comes after it,
    /// and becomes the candidate when no pending event about its object comes before it. "Before" and
    /// "after" in (created, seq) order, each asked as two index ranges that stop at their first row.
    private static let candidateTakeover = """
                DELETE FROM claim_candidates WHERE NEW.object_id IS NOT NULL AND seq = coalesce(
                    (SELECT o.seq FROM events AS o INDEXED BY events_pending_object_created
                     WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.created = NEW.created AND o.seq > NEW.seq
                     ORDER BY o.seq LIMIT 1),
                    (SELECT o.seq FROM events AS o INDEXED BY events_pending_object_created
                     WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.created > NEW.created
                     ORDER BY o.created, o.seq LIMIT 1));
                INSERT OR IGNORE INTO claim_candidates (seq) SELECT NEW.seq
                WHERE NEW.object_id IS NULL OR (
                    NOT EXISTS (
                        SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                        WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.created < NEW.created)
                    AND NOT EXISTS (
                        SELECT 1 FROM events AS o INDEXED BY events_pending_object_created
                        WHERE o.status = 'pending' AND o.object_id = NEW.object_id AND o.created = NEW.created AND o.seq < NEW.seq));
        """

    /// The version this build reads and writes.
    static var currentVersion: Int64 { migrations.last?.version ?? 0 }

    /// Brings the database of a read-write connection to `currentVersion`, in one transaction that
    /// holds the write lock, so that two processes opening a new file at once migrate it once.
    static func migrate(_ connection: SQLiteConnection, now: Int64, logger: Logger) throws(EventStoreError) {
        // Fast path without the write lock: an operator command opening a migrated database while
        // the daemon writes must not queue behind it.
        if try connection.pragmaInteger("user_version") == currentVersion,
           try connection.pragmaInteger("application_id") == applicationID {
            return
        }
        try connection.execute("BEGIN IMMEDIATE")
        do throws(EventStoreError) {
            let version = try check(connection, allowOlder: true)
            for migration in migrations where migration.version > version {
                do throws(EventStoreError) {
                    try connection.execute(migration.sql)
                    try connection.run(
                        "INSERT INTO schema_migrations (version, summary, applied_at) VALUES (?, ?, ?)",
                        [.integer(migration.version), .text(migration.summary), .integer(now)]
                    )
                    try connection.execute("PRAGMA user_version = \(migration.version)")
                } catch {
                    throw EventStoreError(.schema, "\(connection.path): migration to version \(migration.version) (\(migration.summary)) failed: \(error.message)", sqliteCode: error.sqliteCode)
                }
                logger.notice("event database migrated", metadata: ["store.path": connection.path, "schema.version": String(migration.version)])
            }
            try connection.execute("PRAGMA application_id = \(applicationID)")
            try connection.execute("COMMIT")
        } catch {
            if connection.isInTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    /// Checks that the database is ours and not newer than this build, and returns its version;
    /// an older version is an error unless `allowOlder` (read-only opens cannot migrate).
    @discardableResult
    static func check(_ connection: SQLiteConnection, allowOlder: Bool) throws(EventStoreError) -> Int64 {
        let version = try connection.pragmaInteger("user_version")
        let application = try connection.pragmaInteger("application_id")
        let path = connection.path
        if application != applicationID {
            let tables = try connection.queryFirst("SELECT count(*) FROM sqlite_schema WHERE type = 'table'") { $0.int(0) } ?? 0
            // A brand-new file has no application id and no tables; anything else belongs to someone else.
            guard application == 0, version == 0, tables == 0 else {
                throw EventStoreError(.schema, "\(path) is not a stripe-webhookd event database (application_id \(application), user_version \(version), \(tables) tables)")
            }
        }
        if version > currentVersion {
            throw EventStoreError(.schema, "\(path) has schema version \(version), newer than this build understands (\(currentVersion)); run a stripe-webhookd at least as new as the one that wrote it")
        }
        if version < currentVersion, !allowOlder {
            throw EventStoreError(.schema, "\(path) has schema version \(version) and needs migrating to \(currentVersion); open it read-write once (start the daemon)")
        }
        return version
    }
}
