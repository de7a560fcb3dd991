#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How other threads reach an event loop: a lock-protected message queue plus an `eventfd` that wakes
/// the loop from `epoll_wait`. The eventfd is written only when the loop is asleep, at most once per
/// sleep, so a responder completing on the loop thread costs no system call.
final class LoopMailbox: Sendable {
    /// Something for the loop to do.
    enum Message: Sendable {
        /// A responder completed `slot`'s request from another thread or after returning.
        case response(ResponseSlot, HTTPResponse)
        /// Stop accepting, finish what is in flight, and exit by `deadline`.
        case shutdown(deadline: ContinuousClock.Instant)
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
    /// The guarded state.
    private let state = Mutex(State())

    /// Takes ownership of an eventfd.
    init(wakeDescriptor: Int32) {
        self.wakeDescriptor = wakeDescriptor
    }

    /// Queues `message` and wakes the loop if it sleeps; false (message dropped) once the loop has exited.
    @discardableResult
    func post(_ message: Message) -> Bool {
        state.withLock { state in
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
    }

    /// Called by the loop before `epoll_wait`: marks it asleep and returns true, or returns false when
    /// messages are already waiting and it must not block.
    func prepareToSleep() -> Bool {
        state.withLock { state in
            guard state.messages.isEmpty else { return false }
            state.sleeping = true
            return true
        }
    }

    /// Called by the loop after `epoll_wait`: marks it awake and swaps the queued messages into
    /// `messages` (which must be empty), keeping both arrays' storage for reuse.
    func takeMessages(into messages: inout [Message]) {
        state.withLock { state in
            state.sleeping = false
            swap(&state.messages, &messages)
        }
    }

    /// Resets the eventfd after it woke the loop.
    func acknowledgeWakeup() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, 8)
        state.withLock { $0.wakeWritten = false }
    }

    /// Refuses further messages and closes the eventfd; called once by the exiting loop.
    func close() {
        state.withLock { state in
            state.closed = true
            state.messages.removeAll()
            _ = Glibc.close(wakeDescriptor)
        }
    }
}
