import StripeWebhooks

extension StripeAPIClient {
    /// Lists every event matching `query`, following `has_more`/`starting_after` through every page,
    /// and returns them oldest first (Stripe lists newest first; events sharing a `created` second
    /// keep Stripe's relative order reversed, i.e. the order they were created).
    public func listEvents(_ query: EventListQuery) throws(StripeAPIError) -> [ListedEvent] {
        var newestFirst: [ListedEvent] = []
        var cursor: String?
        var seen = Set<String>()
        while true {
            let page = try get("/v1/events", query: query.items(startingAfter: cursor))
            // docs.stripe.com/api/pagination: {object: "list", data: [...], has_more, url}
            guard page["object"]?.stringValue == "list", let data = page["data"]?.arrayValue, let hasMore = page["has_more"]?.boolValue else {
                throw StripeAPIError(.invalidResponse, "GET /v1/events: the answer is not a list object")
            }
            for item in data {
                let body = item.serialized()
                let event: StripeEvent
                do {
                    event = try StripeEvent.decode(from: body)
                } catch {
                    throw StripeAPIError(.invalidResponse, "GET /v1/events: an event in the list cannot be decoded (\(error.message))")
                }
                // An event created while paging can shift a page; never return one twice.
                if seen.insert(event.id).inserted { newestFirst.append(ListedEvent(body: body, event: event)) }
            }
            guard hasMore, let last = newestFirst.last?.event.id else { break }
            guard last != cursor else {
                throw StripeAPIError(.invalidResponse, "GET /v1/events: has_more with no new events; stopped paging")
            }
            cursor = last
        }
        return newestFirst.reversed()
    }

    /// Retrieves one event by id (`GET /v1/events/{id}`).
    public func event(id: String) throws(StripeAPIError) -> ListedEvent {
        let body = try getBytes("/v1/events/\(id)")
        do {
            return ListedEvent(body: body, event: try StripeEvent.decode(from: body))
        } catch {
            throw StripeAPIError(.invalidResponse, "GET /v1/events/\(id): the event cannot be decoded (\(error.message))")
        }
    }
}
