/// Events received in one hour, of one type, now in one status: a bar of the console's chart.
public struct HourlyEventCount: Sendable, Equatable {
    /// The hour's start, Unix ms (a multiple of 3,600,000).
    public var hourStart: Int64
    /// The event type.
    public var type: String
    /// The events' status now.
    public var status: EventStatus
    /// How many.
    public var count: Int

    /// Creates a count.
    /// - Parameters:
    ///   - hourStart: the hour's start, Unix ms.
    ///   - type: the event type.
    ///   - status: the status now.
    ///   - count: how many events.
    public init(hourStart: Int64, type: String, status: EventStatus, count: Int) {
        self.hourStart = hourStart
        self.type = type
        self.status = status
        self.count = count
    }

    /// Milliseconds in an hour, the chart's bucket.
    public static let hourMillis: Int64 = 3_600_000
}

/// One handler's runs and failed runs over a recent period: the console's failure rate.
public struct HandlerFailureRate: Sendable, Equatable {
    /// The handler's name.
    public var handler: String
    /// Runs started in the period.
    public var runs: Int
    /// Of those, the ones that failed.
    public var failures: Int

    /// Creates a rate.
    public init(handler: String, runs: Int, failures: Int) {
        self.handler = handler
        self.runs = runs
        self.failures = failures
    }

    /// Failed runs as a fraction of runs; 0 without runs.
    public var rate: Double { runs == 0 ? 0 : Double(failures) / Double(runs) }
}

/// The events about one object received just before and just after a given event.
public struct RelatedEvents: Sendable, Equatable {
    /// Earlier events about the object, newest first.
    public var before: [StoredEvent]
    /// Later events about the object, oldest first.
    public var after: [StoredEvent]

    /// Creates the pair.
    public init(before: [StoredEvent], after: [StoredEvent]) {
        self.before = before
        self.after = after
    }
}
