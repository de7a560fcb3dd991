/// One run of one handler for one event: the per-handler success record that makes retries rerun
/// only the handlers that have not yet succeeded.
public struct HandlerRun: Sendable, Equatable {
    /// The handler's name.
    public var handler: String
    /// The handler's attempt number (1-based): its runs for the event in this replay, this one included.
    public var attempt: Int
    /// When the run started, Unix milliseconds.
    public var startedAt: Int64
    /// When the run finished, Unix milliseconds.
    public var finishedAt: Int64?
    /// Whether the handler succeeded.
    public var succeeded: Bool
    /// The failure, when it did not.
    public var error: String?
    /// What the handler reported (e.g. a command's output), if anything.
    public var output: String?
    /// Which replay of the event the run belongs to (0 until an operator forces a replay of a done
    /// event); set by the store when runs are read back, ignored when a run is recorded.
    public var replay: Int

    /// Creates a run record.
    /// - Parameters:
    ///   - handler: the handler's name.
    ///   - attempt: the handler's attempt number.
    ///   - startedAt: start time, Unix milliseconds.
    ///   - finishedAt: end time, Unix milliseconds.
    ///   - succeeded: whether it succeeded.
    ///   - error: the failure, if any.
    ///   - output: the handler's report, if any.
    ///   - replay: the replay number; the store assigns it.
    public init(
        handler: String, attempt: Int, startedAt: Int64, finishedAt: Int64?, succeeded: Bool,
        error: String?, output: String?, replay: Int = 0
    ) {
        self.handler = handler
        self.attempt = attempt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.succeeded = succeeded
        self.error = error
        self.output = output
        self.replay = replay
    }
}
