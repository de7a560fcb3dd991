import EventStore
import StripeWebhooks
import WebhookSupport

extension EventDispatcher {
    /// The note that starts a stale event's handler output, so that `events show` tells.
    static let staleNote = "stale: "

    /// `run` with its output prefixed by a note naming the newer event, when the event is stale.
    static func noteStale(_ run: HandlerRun, context: EventHandlerContext) -> HandlerRun {
        guard let newer = context.newerEventID else { return run }
        var noted = run
        noted.output = "\(staleNote)\(newer), created later about the same object, was handled first" + (run.output.map { "\n" + $0 } ?? "")
        return noted
    }

    /// The run to record instead of running `handler`, when the event is stale and the handler has
    /// `skip_stale`: a success whose output names the newer event handled first. `nil`: run it.
    static func staleSkip(_ handler: any EventHandler, context: EventHandlerContext, metadata: Logger.Metadata, logger: Logger) -> HandlerRun? {
        guard let newer = context.newerEventID, (handler as? ConfiguredHandler)?.skipStale == true else { return nil }
        let now = Self.nowMillis()
        logger.info("handler skipped: stale event, a newer one about the same object was handled first", metadata: metadata.merging([
            "handler": handler.name, "event.newer_id": newer,
        ]) { $1 })
        return HandlerRun(
            handler: handler.name, attempt: context.attempt, startedAt: now, finishedAt: now, succeeded: true, error: nil,
            output: "\(staleNote)\(newer), created later about the same object, was handled first\nskipped (skip_stale)"
        )
    }
}
