import Foundation
import StripeAPI
import StripeWebhooks

/// Reads a thin event's versioned event or related object from Stripe's API (the `fetch` setting of
/// handlers), sending `Stripe-Context` when the event has a context, as Stripe's SDKs do. One call per
/// attempt: the client does not retry on its own (`maxRetries` 0), the dispatcher's retries do.
struct StripeThinEventFetcher: ThinEventFetcher {
    /// The API client, shared by every fetching handler (its connections are kept alive).
    let client: StripeAPIClient

    /// The body of `GET /v2/core/events/{id}` or of `GET related_object.url`.
    func fetch(_ mode: HandlerConfiguration.Fetch, for event: ThinEvent) -> Result<[UInt8], ThinFetchFailure> {
        let path: String
        switch mode {
        case .event:
            path = event.eventPath
        case .relatedObject:
            guard let url = event.relatedObject?.url else {
                return .failure(ThinFetchFailure(message: "the event has no related_object"))
            }
            // A path on the API's host, never another host: the key goes with the request.
            guard url.hasPrefix("/"), !url.hasPrefix("//") else {
                return .failure(ThinFetchFailure(message: "related_object.url \"\(url.prefix(100))\" is not a path on Stripe's API"))
            }
            path = url
        }
        var headers: [String: String] = [:]
        if let context = event.context { headers["Stripe-Context"] = context }
        // A url with a query (none today) keeps it as query items, not as an escaped part of the path.
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? URLComponents(string: "?" + parts[1])?.queryItems ?? [] : []
        do {
            return .success(try client.getBytes(String(parts[0]), query: query, headers: headers))
        } catch {
            return .failure(ThinFetchFailure(message: error.message))
        }
    }
}
