/// The rendezvous between one dispatched request and its responder's completion, which may come
/// inline (while `respond` is still running on the loop thread), later, from any thread, or twice.
/// Its state lives under the loop mailbox's lock: no lock of its own to allocate per request, and a
/// late completion decides and posts under that one lock.
final class ResponseSlot: @unchecked Sendable {
    // @unchecked: `state` is only touched inside `mailbox.withLock`.
    /// Where the completion stands.
    private enum State: Sendable {
        /// `respond` has not returned yet.
        case dispatching
        /// Completed while dispatching: the loop picks the response up when `respond` returns.
        case inline(HTTPResponse)
        /// `respond` returned without completing: the completion goes through the mailbox.
        case awaiting
        /// Delivered; any further completion is ignored.
        case done
    }

    /// The loop's table index and generation of the connection that owns the request.
    let connectionToken: UInt64
    /// The owning loop's mailbox.
    private let mailbox: LoopMailbox
    /// Where the completion stands; guarded by the mailbox's lock.
    private var state = State.dispatching

    /// Creates the slot for one request on the connection with `connectionToken`.
    init(connectionToken: UInt64, mailbox: LoopMailbox) {
        self.connectionToken = connectionToken
        self.mailbox = mailbox
    }

    /// The responder's completion: keeps the response for the loop, or posts it to the loop's mailbox.
    func complete(_ response: HTTPResponse) {
        mailbox.withLock {
            switch state {
            case .dispatching:
                state = .inline(response)
            case .awaiting:
                state = .done
                _ = mailbox.postLocked(.response(self, response))
            case .inline, .done:
                break
            }
        }
    }

    /// Called by the loop once `respond` returned: the response if it was completed inline, else nil
    /// (and later completions go through the mailbox).
    func finishDispatch() -> HTTPResponse? {
        mailbox.withLock {
            if case .inline(let response) = state {
                state = .done
                return response
            }
            state = .awaiting
            return nil
        }
    }
}
