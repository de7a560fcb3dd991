/// What `requeue(ids:force:now:)` did with one event id.
public enum RequeueOutcome: String, Sendable, Equatable {
    /// It is pending again, due now, with its attempts reset.
    case requeued
    /// No event has that id.
    case notFound
    /// A worker holds it right now; left alone.
    case claimed
    /// It is done; replaying a done event needs `force`.
    case needsForce
}
