import StripeWebhooks

/// A handler action behind `fetch`: for a thin event, reads the versioned event or the related object
/// from Stripe's API first and gives the wrapped action that body instead of the thin one (a command
/// gets it on stdin, a forward posts it, re-signed). A failed fetch is a failed attempt. Snapshot
/// events pass through unchanged: they already carry their object.
struct FetchingAction: HandlerAction {
    /// What to fetch.
    let mode: HandlerConfiguration.Fetch
    /// Where from.
    let fetcher: any ThinEventFetcher
    /// The action that gets the fetched body.
    let action: any HandlerAction

    /// Fetches, then runs the wrapped action with the fetched body.
    func perform(_ event: StripeEvent, context: EventHandlerContext) -> HandlerReport {
        guard let thin = event.thin else { return action.perform(event, context: context) }
        if mode == .relatedObject, thin.relatedObject == nil {
            return .failed("fetch related_object: the event has no related_object; use \"fetch\": \"event\" for this type")
        }
        switch fetcher.fetch(mode, for: thin) {
        case .failure(let failure):
            return .failed("fetch \(mode.rawValue) failed: \(failure.message)")
        case .success(let body):
            return action.perform(event, context: context.replacingBody(with: body))
        }
    }
}

extension EventHandlerContext {
    /// The same attempt with `body` as the event body (a fetched one in place of the thin payload).
    func replacingBody(with body: [UInt8]) -> EventHandlerContext {
        EventHandlerContext(attempt: attempt, body: body, newerEventID: newerEventID)
    }
}
