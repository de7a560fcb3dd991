#if canImport(Glibc)
import Glibc
#endif

/// GNU C library calls for starting programs that Glibc's Swift module does not import (they need
/// `_GNU_SOURCE`): looked up once with `dlsym` and called through C function pointers, `nil` when
/// this C library lacks them.
enum SpawnCalls {
    /// `int pipe2(int fds[2], int flags)`.
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// `pipe2`.
    static let pipe2: Pipe2? = resolve("pipe2")

    /// The C function named `name` in the running process, as `Function`, if there is one.
    private static func resolve<Function>(_ name: String) -> Function? {
        // A null handle is RTLD_DEFAULT: search the global scope, where libc is.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }

    /// A pipe whose two ends close on exec; falls back to `pipe` then `FD_CLOEXEC` without `pipe2`.
    static func makePipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&ends) == 0 else { return nil }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        return (ends[0], ends[1])
    }
}
