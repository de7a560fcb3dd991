/// How a worker's attempt at one claimed event ended, with the handler runs it made: what
/// `EventStore.report(_:)` records for many events in one write.
public struct EventOutcome: Sendable, Equatable {
    /// What becomes of the event.
    public enum Ending: Sendable, Equatable {
        /// Every handler succeeded: done.
        case done
        /// Back to pending, due again at `at` (Unix ms), remembering `error`.
        case retry(at: Int64, error: String)
        /// A dead letter with its last error.
        case failed(error: String)
    }

    /// The claimed event.
    public var eventID: String
    /// The handler runs of this attempt, in the order they ran.
    public var runs: [HandlerRun]
    /// The status it ends in.
    public var ending: Ending
    /// When the attempt ended, Unix ms.
    public var now: Int64

    /// Creates an outcome.
    /// - Parameters:
    ///   - eventID: the claimed event.
    ///   - runs: its handler runs in this attempt.
    ///   - ending: the status it ends in.
    ///   - now: when the attempt ended, Unix ms.
    public init(eventID: String, runs: [HandlerRun], ending: Ending, now: Int64) {
        self.eventID = eventID
        self.runs = runs
        self.ending = ending
        self.now = now
    }
}

extension EventStore {
    /// Records each outcome as `recordHandlerRun` for every run followed by `complete`, `retryLater`
    /// or `markFailed` would, one event after the other; returns each event's error, or `nil`. A store
    /// that can do it in one write (the SQLite store: one transaction for the whole batch) overrides it.
    public func report(_ outcomes: [EventOutcome]) -> [EventStoreError?] {
        outcomes.map { outcome in
            do throws(EventStoreError) {
                for run in outcome.runs { try recordHandlerRun(eventID: outcome.eventID, run: run) }
                switch outcome.ending {
                case .done: try complete(eventID: outcome.eventID, now: outcome.now)
                case .retry(let at, let error): try retryLater(eventID: outcome.eventID, at: at, error: error, now: outcome.now)
                case .failed(let error): try markFailed(eventID: outcome.eventID, error: error, now: outcome.now)
                }
                return nil
            } catch {
                return error
            }
        }
    }
}
