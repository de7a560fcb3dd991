import StripeWebhooks

/// Reads what a `fetch` handler gets for a thin event from Stripe's API: the versioned event or the
/// related object's current state, with `Stripe-Context` when the event has a context. Blocks its
/// worker thread for the call.
protocol ThinEventFetcher: Sendable {
    /// The body for `mode`, or a sentence saying why there is none.
    func fetch(_ mode: HandlerConfiguration.Fetch, for event: ThinEvent) -> Result<[UInt8], ThinFetchFailure>
}

/// Why a fetch gave nothing: the attempt fails with this message and is retried like any other.
struct ThinFetchFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence naming the call; never the API key.
    let message: String

    /// The message.
    var description: String { message }
}
