/// What a durable insert did: both outcomes mean the event is safely on disk.
public enum InsertOutcome: Sendable, Equatable {
    /// The event was new and is now stored.
    case stored
    /// An event with the same id was already stored (Stripe retried or sent it twice); nothing changed.
    case duplicate
}
