/// Maps event types to handlers through ``EventPattern``s and runs them.
///
/// A handler registered once runs once per event, however many of its patterns match. Handlers run in
/// registration order. `*` registrations are returned by ``handlers(for:)`` like any other, but do not make
/// a type "handled" for ``isHandled(_:)``, so a catch-all audit handler does not hide "Unhandled event
/// type" log lines.
public struct EventRouter: Sendable {
    /// One handler and the patterns it was registered for.
    public struct Registration: Sendable {
        /// The handler.
        public let handler: any EventHandler
        /// The patterns selecting its event types.
        public let patterns: [EventPattern]

        /// Whether any pattern matches `type`.
        func matches(_ type: EventType) -> Bool {
            patterns.contains { $0.matches(type) }
        }
    }

    /// All registrations, in order.
    public private(set) var registrations: [Registration] = []

    /// An empty router.
    public init() {}

    /// Registers `handler` for every type matched by any of `patterns`.
    public mutating func register(_ handler: any EventHandler, for patterns: [EventPattern]) {
        registrations.append(Registration(handler: handler, patterns: patterns))
    }

    /// Registers `handler` for the types matched by `pattern`.
    public mutating func register(_ handler: any EventHandler, for pattern: EventPattern) {
        register(handler, for: [pattern])
    }

    /// The handlers for `type`, in registration order; empty when none matches.
    public func handlers(for type: EventType) -> [any EventHandler] {
        registrations.lazy.filter { $0.matches(type) }.map(\.handler)
    }

    /// Whether a handler is registered for `type` by a pattern other than `*`.
    public func isHandled(_ type: EventType) -> Bool {
        registrations.contains { registration in
            registration.patterns.contains { !$0.isCatchAll && $0.matches(type) }
        }
    }

    /// Runs every handler for the event's type, in order; one handler's failure does not stop the next.
    public func dispatch(_ event: StripeEvent, context: EventHandlerContext) -> [HandlerOutcome] {
        handlers(for: event.type).map { handler in
            do {
                try handler.handle(event, context: context)
                return HandlerOutcome(handlerName: handler.name, error: nil)
            } catch {
                return HandlerOutcome(handlerName: handler.name, error: error)
            }
        }
    }
}
