/// How one handler fared with one event.
public struct HandlerOutcome: Sendable {
    /// The handler's ``EventHandler/name``.
    public let handlerName: String
    /// The error it threw, or nil when it succeeded.
    public let error: (any Error)?

    /// Creates an outcome.
    public init(handlerName: String, error: (any Error)?) {
        self.handlerName = handlerName
        self.error = error
    }

    /// Whether the handler returned without throwing.
    public var succeeded: Bool { error == nil }
}
