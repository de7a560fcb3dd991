/// Where a stored event is in its life: waiting for handlers, handled, or given up on.
public enum EventStatus: String, Sendable, CaseIterable, Hashable {
    /// Not yet handled: due now, waiting for a retry, or claimed by a worker.
    case pending
    /// Every handler succeeded.
    case done
    /// Retries ran out (a dead letter) until an operator requeues it.
    case failed
}
