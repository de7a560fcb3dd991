/// An ``EventHandler`` made from a name and a closure.
public struct ClosureEventHandler: EventHandler {
    /// The handler's name.
    public let name: String
    /// The work to do for each event.
    private let body: @Sendable (StripeEvent, EventHandlerContext) throws -> Void

    /// Creates a handler named `name` that runs `body`.
    public init(name: String, _ body: @escaping @Sendable (StripeEvent, EventHandlerContext) throws -> Void) {
        self.name = name
        self.body = body
    }

    /// Runs the closure.
    public func handle(_ event: StripeEvent, context: EventHandlerContext) throws {
        try body(event, context)
    }
}
