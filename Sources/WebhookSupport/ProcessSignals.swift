#if canImport(Glibc)
import Glibc
#endif

/// The signal state a long-running daemon relies on, set once at start whatever its parent left
/// behind. A supervisor or a shell may start it with SIGCHLD ignored (then the kernel reaps children
/// itself and `waitpid` never sees a command end), with signals blocked, or with SIGPIPE at its
/// default (a write to a closed pipe would kill the daemon).
public enum ProcessSignals {
    /// Resets the dispositions and the signal mask of the calling thread: SIGCHLD to its default (the
    /// daemon waits for its commands), SIGPIPE ignored (writes report EPIPE instead), every
    /// signal unblocked except `watched`, which stay blocked so that only a `SignalWatcher` (through
    /// its dispatch sources) receives them and no thread can swallow one. Call it first thing on the
    /// main thread, before any other thread exists: threads inherit the mask of the thread that
    /// creates them.
    public static func prepareForDaemon(watching watched: [Int32]) {
        signal(SIGCHLD, SIG_DFL)
        signal(SIGPIPE, SIG_IGN)
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in watched { sigaddset(&mask, number) }
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }

    /// Whether `number` is ignored (`SIG_IGN`) in this process now.
    public static func isIgnored(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return false }
        // Handlers are C function pointers, which Swift does not compare: compare their addresses.
        let address = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        return address == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
