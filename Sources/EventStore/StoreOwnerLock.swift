import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The exclusive lock that makes one daemon the owner of a SQLite store: `flock(LOCK_EX)` on a lock
/// file beside the database (`<database>.lock`) holding the owner's PID.
///
/// Only the owner may run start-up recovery (which releases every other instance's claims) and
/// handlers; operator commands never take it. The kernel releases a `flock` when the last descriptor
/// of its open file closes, so a daemon killed with SIGKILL never blocks its own restart; the
/// descriptor is close-on-exec, so a handler outliving the daemon does not hold the lock either.
/// `flock` (unlike `fcntl` record locks) is held per open file, so two stores opened in one process
/// exclude each other too.
final class StoreOwnerLock {
    /// The lock file's path.
    let path: String
    /// The open lock file, or -1 once released.
    private var descriptor: Int32

    /// The lock file beside `databasePath`.
    static func lockPath(for databasePath: String) -> String { databasePath + ".lock" }

    /// Takes the lock for `databasePath` without waiting, and writes this process's PID into the lock
    /// file; throws `.unavailable` naming the store and the owner's PID when another owner holds it.
    init(databasePath: String) throws(EventStoreError) {
        let path = Self.lockPath(for: databasePath)
        self.path = path
        let opened: Int32
        do {
            opened = try systemCall("open(\(path))") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        } catch {
            throw EventStoreError(.unavailable, "cannot open the store's owner lock file: \(error)")
        }
        do {
            _ = try systemCall("flock(\(path))") { flock(opened, LOCK_EX | LOCK_NB) }
        } catch where error.code == EWOULDBLOCK {
            let owner = Self.readOwner(opened)
            Glibc.close(opened)
            let who = owner.map { "another stripe-webhookd (PID \($0))" } ?? "another stripe-webhookd (PID unknown)"
            throw EventStoreError(.unavailable, """
                the event store \(databasePath) is already in use by \(who), which holds \(path). \
                A store has one daemon: stop that one first, or give this one another store
                """)
        } catch {
            Glibc.close(opened)
            throw EventStoreError(.unavailable, "cannot lock the event store \(databasePath): \(error)")
        }
        descriptor = opened
        let text = Array("\(getpid())\n".utf8)
        // The PID is informational (the lock itself is what excludes), so a failed write only loses the name.
        if ftruncate(opened, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(opened, $0.baseAddress, $0.count, 0) }
        }
    }

    deinit { release() }

    /// Empties the lock file and releases the lock; idempotent.
    func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// The PID written in the lock file open at `descriptor`, if it holds one.
    private static func readOwner(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
