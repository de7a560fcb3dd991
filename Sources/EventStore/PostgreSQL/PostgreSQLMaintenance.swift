import CLibPQ
import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL store's background thread: it LISTENs on its own connection for inserts by any
/// instance and wakes idle workers at once (polling stays the fallback), and renews this instance's
/// claims every `renewEvery` while its handlers run. Both come back by themselves after an outage.
final class PostgreSQLMaintenance: @unchecked Sendable {
    // @unchecked: `running` and `wake` are guarded by `lock`; `link` is used by the thread only.

    /// Guards `running` and `wake`.
    private let lock = NSCondition()
    /// Whether the thread should keep going.
    private var running = true
    /// Whether the thread has exited.
    private var exited = false
    /// Called on a notification.
    private var wake: (@Sendable () -> Void)?
    /// The listening connection.
    private let link: PostgreSQLLink
    /// How often claims are renewed.
    private let renewEvery: Duration
    /// Renews this instance's claims.
    private let renew: @Sendable () throws(EventStoreError) -> Void
    /// Where failures are reported.
    private let logger: Logger

    /// Starts the thread.
    /// - Parameters:
    ///   - link: the listening connection, this thread's alone.
    ///   - renewEvery: the renewal period (a third of the lease).
    ///   - logger: where failures are reported.
    ///   - renew: renews this instance's claims.
    init(link: PostgreSQLLink, renewEvery: Duration, logger: Logger, renew: @escaping @Sendable () throws(EventStoreError) -> Void) {
        self.link = link
        self.renewEvery = renewEvery
        self.logger = logger
        self.renew = renew
        let thread = Thread { [self] in self.loop() }
        thread.name = "webhookd-postgres-listener"
        thread.start()
    }

    /// Sets what a notification calls.
    func setWake(_ wake: @escaping @Sendable () -> Void) {
        lock.lock()
        self.wake = wake
        lock.unlock()
    }

    /// Stops the thread and waits for it.
    func stop() {
        lock.lock()
        running = false
        while !exited { lock.wait() }
        lock.unlock()
    }

    /// Whether to keep going.
    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    /// Calls the wake-up hook, if any.
    private func notify() {
        lock.lock()
        let wake = self.wake
        lock.unlock()
        wake?()
    }

    /// Listens and renews until stopped.
    private func loop() {
        var nextRenewal = ContinuousClock.now + renewEvery
        var listening = false
        var renewalFailing = false
        while isRunning {
            if ContinuousClock.now >= nextRenewal {
                nextRenewal = .now + renewEvery
                do throws(EventStoreError) {
                    try renew()
                    renewalFailing = false
                } catch {
                    if !renewalFailing { logger.warning("could not renew claims; they lapse unless renewed in time", metadata: ["error.message": error.description]) }
                    renewalFailing = true
                }
            }
            do throws(EventStoreError) {
                let connection = try link.open()
                if !listening {
                    try connection.execute("LISTEN \(PostgreSQLEventStore.channel)")
                    listening = true
                    // Inserts made while the listener was away were not heard: look now.
                    notify()
                }
                if try waitForNotification(on: connection, milliseconds: 200) { notify() }
            } catch {
                listening = false
                link.dropIfBroken()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        link.close()
        lock.lock()
        exited = true
        lock.broadcast()
        lock.unlock()
    }

    /// Waits up to `milliseconds` for a notification; `true` when at least one came.
    private func waitForNotification(on connection: PostgreSQLConnection, milliseconds: Int32) throws(EventStoreError) -> Bool {
        guard let handle = connection.handle else { throw EventStoreError(.unavailable, "listener connection closed") }
        var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0, errno != EINTR { throw EventStoreError(.unavailable, "poll on the listener connection failed (errno \(errno))") }
        guard ready > 0 else { return false }
        guard PQconsumeInput(handle) == 1, !connection.isBroken else {
            throw EventStoreError(.unavailable, "the listener connection to PostgreSQL at \(connection.label) was lost")
        }
        var heard = false
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            heard = true
        }
        return heard
    }
}
