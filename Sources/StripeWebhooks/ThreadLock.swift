#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex, for the module's two bits of shared mutable state (a parsed `data.object`, spare
/// HMAC contexts). Not `Synchronization.Mutex`: ThreadSanitizer cannot see that lock on Linux and
/// reports every access it protects as a race; it does see pthread mutexes. No Foundation either: the
/// Stripe module depends on libcrypto only.
final class ThreadLock: @unchecked Sendable {
    // @unchecked: the mutex is the synchronization; its storage never moves (allocated once).
    /// The mutex.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// A new, unlocked mutex.
    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed: \(result)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
