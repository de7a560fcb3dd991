import Foundation
import Testing
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The signal state a daemon sets at start: SIGPIPE ignored, SIGCHLD at its default, and a mask that
/// blocks exactly the watched signals, whatever the thread had blocked before.
struct ProcessSignalsTests {
    @Test func prepareForDaemon_blocksExactlyTheWatchedSignals_andIgnoresSIGPIPE() {
        // On a thread of its own: the mask is per thread, and the test runner's threads keep theirs.
        let result = LockedValue<(blocked: [Int32], chldIgnored: Bool, pipeIgnored: Bool)?>(nil)
        let thread = Thread {
            var before = sigset_t()
            sigemptyset(&before)
            sigaddset(&before, SIGUSR1)
            sigaddset(&before, SIGALRM)
            pthread_sigmask(SIG_BLOCK, &before, nil)
            ProcessSignals.prepareForDaemon(watching: [SIGUSR2, SIGWINCH])
            var mask = sigset_t()
            pthread_sigmask(SIG_SETMASK, nil, &mask)
            let blocked = (1..<32).map(Int32.init).filter { sigismember(&mask, $0) == 1 }
            result.withLock { $0 = (blocked, ProcessSignals.isIgnored(SIGCHLD), ProcessSignals.isIgnored(SIGPIPE)) }
        }
        thread.start()
        #expect(waitFor { result.withLock { $0 } != nil })
        let seen = result.withLock { $0 }
        #expect(seen?.blocked == [SIGUSR2, SIGWINCH])
        #expect(seen?.chldIgnored == false)
        #expect(seen?.pipeIgnored == true)
    }

    /// Polls `condition` for up to five seconds.
    private func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { usleep(10_000) }
        return condition()
    }
}
