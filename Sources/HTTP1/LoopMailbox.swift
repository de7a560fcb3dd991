#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How other threads reach an event loop: a lock-protected message queue plus an `eventfd` that wakes
/// the loop from `epoll_wait`. The eventfd is written only when the loop is asleep, at most once per
/// sleep, so a responder completing on the loop thread costs no system call.
///
/// The same lock guards the state of every `ResponseSlot` of the loop, so a completion from another
/// thread decides and posts under one lock. It is an `NSLock` (a pthread mutex) rather than
/// `Synchronization.Mutex`, whose futex lock ThreadSanitizer cannot see on Linux: with it, TSan
/// reported every access it protects as a race (scripts/tsan-suppressions.txt has the proof).
final class LoopMailbox: @unchecked Sendable {
    // @unchecked: `state` (and each slot's state) is only touched with `lock` held.
    /// Something for the loop to do.
    enum Message: Sendable {
        /// A responder completed `slot`'s request from another thread or after returning.
        case response(ResponseSlot, HTTPResponse)
        /// Stop accepting, finish what is in flight, and exit by `deadline`.
        case shutdown(deadline: ContinuousClock.Instant)
        /// Serve a connection another loop accepted (see `LoopPeers`); it is already counted in the
        /// server's connection count and in this loop's load.
        case adopt(Socket, remoteAddress: String)
    }

    /// The queue and the loop's sleep state, under one lock.
    private struct State: Sendable {
        /// Messages not yet taken by the loop.
        var messages: [Message] = []
        /// The loop is in (or about to enter) `epoll_wait`.
        var sleeping = false
        /// The eventfd was written since the loop last woke.
        var wakeWritten = false
        /// The loop has exited; messages are refused.
        var closed = false
    }

    /// The eventfd the loop watches.
    let wakeDescriptor: Int32
    /// Guards `state` and the loop's response slots.
    private let lock = NSLock()
    /// The queue and sleep state.
    private var state = State()

    /// Takes ownership of an eventfd.
    init(wakeDescriptor: Int32) {
        self.wakeDescriptor = wakeDescriptor
    }

    /// Runs `body` with the mailbox's lock held (for `ResponseSlot`, which posts with `postLocked`).
    func withLock<Result>(_ body: () -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Queues `message` and wakes the loop if it sleeps; false (message dropped) once the loop has exited.
    @discardableResult
    func post(_ message: Message) -> Bool {
        withLock { postLocked(message) }
    }

    /// `post` for a caller already inside `withLock`.
    func postLocked(_ message: Message) -> Bool {
        guard !state.closed else { return false }
        state.messages.append(message)
        if state.sleeping && !state.wakeWritten {
            state.wakeWritten = true
            // Under the lock, so `close()` cannot free the descriptor number in between.
            var one: UInt64 = 1
            _ = write(wakeDescriptor, &one, 8)
        }
        return true
    }

    /// Called by the loop before `epoll_wait`: marks it asleep and returns true, or returns false when
    /// messages are already waiting and it must not block.
    func prepareToSleep() -> Bool {
        withLock {
            guard state.messages.isEmpty else { return false }
            state.sleeping = true
            return true
        }
    }

    /// Called by the loop after `epoll_wait`: marks it awake and swaps the queued messages into
    /// `messages` (which must be empty), keeping both arrays' storage for reuse.
    func takeMessages(into messages: inout [Message]) {
        withLock {
            state.sleeping = false
            swap(&state.messages, &messages)
        }
    }

    /// Resets the eventfd after it woke the loop.
    func acknowledgeWakeup() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, 8)
        withLock { state.wakeWritten = false }
    }

    /// Refuses further messages and closes the eventfd; called once by the exiting loop, which gets
    /// back the messages it never took (a connection handed over at the last moment must be closed).
    func close() -> [Message] {
        withLock {
            state.closed = true
            var left: [Message] = []
            swap(&state.messages, &left)
            _ = Glibc.close(wakeDescriptor)
            return left
        }
    }
}
