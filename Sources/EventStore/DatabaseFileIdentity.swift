#if canImport(Glibc)
import Glibc
#endif

/// Which file a path names: its device and inode. The writer compares the identity of the database
/// it opened with what the path names now, to notice the file removed, renamed or replaced under it
/// (SQLite would keep writing into the unlinked file, and every event written there would be lost).
struct DatabaseFileIdentity: Sendable, Equatable {
    /// `st_dev`.
    let device: UInt64
    /// `st_ino`.
    let inode: UInt64

    /// What `stat(path)` found.
    enum Lookup: Sendable, Equatable {
        /// The path names a file with this identity.
        case found(DatabaseFileIdentity)
        /// Nothing is at the path, or a directory on the way is gone (`ENOENT`, `ENOTDIR`).
        case missing
        /// `stat` failed otherwise (`EACCES`, `EIO`, …) with this `errno`.
        case failed(Int32)
    }

    /// Looks `path` up now: one `stat`.
    static func lookUp(_ path: String) -> Lookup {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? .missing : .failed(code)
        }
        return .found(DatabaseFileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }
}
