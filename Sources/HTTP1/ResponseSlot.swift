import Synchronization

/// The rendezvous between one dispatched request and its responder's completion, which may come
/// inline (while `respond` is still running on the loop thread), later, from any thread, or twice.
final class ResponseSlot: Sendable {
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
    /// The guarded state.
    private let state = Mutex(State.dispatching)

    /// Creates the slot for one request on the connection with `connectionToken`.
    init(connectionToken: UInt64, mailbox: LoopMailbox) {
        self.connectionToken = connectionToken
        self.mailbox = mailbox
    }

    /// The responder's completion: keeps the response for the loop, or posts it to the loop's mailbox.
    func complete(_ response: HTTPResponse) {
        let post = state.withLock { state -> Bool in
            switch state {
            case .dispatching:
                state = .inline(response)
                return false
            case .awaiting:
                state = .done
                return true
            case .inline, .done:
                return false
            }
        }
        if post { mailbox.post(.response(self, response)) }
    }

    /// Called by the loop once `respond` returned: the response if it was completed inline, else nil
    /// (and later completions go through the mailbox).
    func finishDispatch() -> HTTPResponse? {
        state.withLock { state in
            if case .inline(let response) = state {
                state = .done
                return response
            }
            state = .awaiting
            return nil
        }
    }
}
