import Foundation

/// The filters of `GET /v1/events` this client uses (docs.stripe.com/api/events/list).
public struct EventListQuery: Sendable, Equatable {
    /// Stripe's page size limit (`limit` is 1–100).
    public static let maximumPageSize = 100

    /// Only events created at or after this Unix time (`created[gte]`).
    public var createdSince: Int64?
    /// Only this type (`type`, which accepts one `*` wildcard such as `invoice.*`).
    public var type: String?
    /// Events per page, 1–100. Default 100: fewest calls.
    public var pageSize = EventListQuery.maximumPageSize

    /// Creates a query.
    /// - Parameters:
    ///   - createdSince: the earliest `created`, Unix seconds.
    ///   - type: a type or `prefix.*` pattern.
    public init(createdSince: Int64? = nil, type: String? = nil) {
        self.createdSince = createdSince
        self.type = type
    }

    /// The query items of one page, after the event `startingAfter` when not the first.
    func items(startingAfter: String?) -> [URLQueryItem] {
        var items = [URLQueryItem(name: "limit", value: String(max(1, min(pageSize, Self.maximumPageSize))))]
        if let createdSince { items.append(URLQueryItem(name: "created[gte]", value: String(createdSince))) }
        if let type { items.append(URLQueryItem(name: "type", value: type)) }
        if let startingAfter { items.append(URLQueryItem(name: "starting_after", value: startingAfter)) }
        return items
    }
}
