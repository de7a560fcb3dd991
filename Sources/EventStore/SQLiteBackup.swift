import CSQLite
import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// A consistent copy of an event database, taken while a daemon may be writing it: SQLite's online
/// backup API reads every page inside one read transaction (in WAL mode a reader never blocks the
/// writer), into a temporary file beside the destination that is synced and then moved into place,
/// so that a copy is either complete or absent. The copy is a self-contained file (rollback
/// journal, no -wal): `events list --store sqlite:COPY` reads it, and a daemon started on it
/// switches it back to WAL.
public enum SQLiteBackup {
    /// What a backup copied.
    public struct Report: Sendable, Equatable {
        /// Events in the copy.
        public var events: Int64
        /// The copy's size in bytes.
        public var bytes: Int64
        /// The copy's schema version.
        public var schemaVersion: Int64
    }

    /// Copies the database at `source` to `destination`.
    /// - Parameters:
    ///   - source: an existing event database (a daemon may be running on it).
    ///   - destination: the copy's path; its directory must exist.
    ///   - overwrite: replace an existing file at `destination`; without it an existing file is
    ///     never touched (`.invalidArgument`).
    ///   - busyTimeout: how long to wait for the daemon's write lock where a read needs it.
    public static func copy(from source: String, to destination: String, overwrite: Bool, busyTimeout: Duration = .seconds(5)) throws(EventStoreError) -> Report {
        guard access(source, F_OK) == 0 else { throw EventStoreError(.invalidArgument, "no event database at \(source)") }
        if !overwrite, access(destination, F_OK) == 0 {
            throw EventStoreError(.invalidArgument, "\(destination) already exists; pass --force to overwrite it")
        }
        let from = try SQLiteConnection(path: source, readOnly: true, create: false)
        defer { from.close() }
        from.setBusyTimeout(milliseconds: Int(busyTimeout.milliseconds))
        _ = try SQLiteSchema.check(from, allowOlder: true)

        let directory = (destination as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((destination as NSString).lastPathComponent).partial-\(getpid())"
        unlink(temporary)
        do {
            // 0600 before SQLite writes anything: the copy holds customer data like the original.
            let descriptor = try systemCall("open(\(temporary))") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
            Glibc.close(descriptor)
        } catch {
            throw EventStoreError(.invalidArgument, "cannot create the backup beside \(destination): \(error)")
        }
        var moved = false
        defer { if !moved { unlink(temporary) } }
        var report = Report(events: 0, bytes: 0, schemaVersion: 0)
        do {
            let to = try SQLiteConnection(path: temporary, readOnly: false, create: false)
            defer { to.close() }
            try copyPages(from: from, to: to, busyTimeout: busyTimeout)
            // A self-contained file: no -wal beside it to lose when it is copied on.
            _ = try to.pragmaText("journal_mode = DELETE")
            let check = try to.pragmaText("quick_check")
            guard check == "ok" else { throw EventStoreError(.unavailable, "the copy failed its integrity check: \(check)") }
            report.events = try to.queryFirst("SELECT COUNT(*) FROM events") { $0.int64(0) } ?? 0
            report.schemaVersion = try to.pragmaInteger("user_version")
        }
        do {
            let descriptor = try systemCall("open(\(temporary))") { open(temporary, O_RDONLY | O_CLOEXEC) }
            defer { Glibc.close(descriptor) }
            _ = try systemCall("fsync(\(temporary))") { fsync(descriptor) }
            if overwrite {
                _ = try systemCall("rename(\(temporary), \(destination))") { rename(temporary, destination) }
            } else {
                // link() refuses an existing name: a file that appeared meanwhile is not overwritten.
                _ = try systemCall("link(\(temporary), \(destination))") { link(temporary, destination) }
                unlink(temporary)
            }
            moved = true
            let parent = try systemCall("open(\(directory))") { open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            _ = fsync(parent)
            Glibc.close(parent)
        } catch where error.code == EEXIST {
            throw EventStoreError(.invalidArgument, "\(destination) already exists; pass --force to overwrite it")
        } catch {
            throw EventStoreError(.unavailable, "cannot put the backup in place at \(destination): \(error)")
        }
        var info = stat()
        if stat(destination, &info) == 0 { report.bytes = Int64(info.st_size) }
        return report
    }

    /// Copies every page of `from` into `to` in one step (one read transaction on the source: a
    /// consistent snapshot, whatever the daemon commits meanwhile).
    private static func copyPages(from: SQLiteConnection, to: SQLiteConnection, busyTimeout: Duration) throws(EventStoreError) {
        guard let backup = sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw to.error("start the backup")
        }
        let deadline = ContinuousClock.now + busyTimeout
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            // BUSY or LOCKED: a lock is held right now (rare in WAL mode); wait and retry until the busy timeout.
            if code == SQLITE_BUSY || code == SQLITE_LOCKED {
                guard ContinuousClock.now < deadline else { break }
                sqlite3_sleep(50)
            }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finished = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finished == SQLITE_OK else {
            throw to.error("copy the database pages", code: code == SQLITE_DONE ? finished : code)
        }
    }
}
