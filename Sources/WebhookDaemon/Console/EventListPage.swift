import EventStore

/// The event list: a filter form (status, type pattern, time range, object id, event id) and one page
/// of events, newest first, with a link to the next page by cursor.
struct EventListPage {
    /// The filters as the operator typed them, to refill the form and build the next page's link.
    struct Filters: Sendable, Equatable {
        /// `pending`, `done`, `failed` or nil.
        var status: String?
        /// A type or `prefix.*`.
        var type: String?
        /// Received at or after: `2h`, Unix seconds or an ISO 8601 date.
        var from: String?
        /// Received before, in the same forms.
        var until: String?
        /// `data.object.id`.
        var object: String?
        /// An event id.
        var id: String?

        /// The filters of a query string.
        init(_ fields: FormFields) {
            status = fields["status"]
            type = fields["type"]
            from = fields["from"]
            until = fields["until"]
            object = fields["object"]
            id = fields["id"]
        }

        /// The query-string pairs.
        var pairs: [(String, String?)] {
            [("status", status), ("type", type), ("from", from), ("until", until), ("object", object), ("id", id)]
        }
    }

    /// The filters shown.
    let filters: Filters
    /// The events and the next page's cursor.
    let page: EventPage
    /// Whether this is a later page (a link back to the first).
    let isLaterPage: Bool

    /// The page.
    func render(navigation: HTML, current: String) -> HTML {
        let main: [HTML] = [.element("h1", text: "Events"), form(), table(), pager()]
        return ConsolePage.document(title: "Events", body: [navigation, .element("main", [], main)])
    }

    /// The filter form: a plain GET, so it works without JavaScript.
    private func form() -> HTML {
        let statuses = [("", "any status"), ("pending", "pending"), ("done", "done"), ("failed", "failed (dead letters)")]
        func field(_ name: String, _ label: String, _ value: String?, _ placeholder: String) -> HTML {
            .element("label", [], [.text(label), .element("input", [("name", name), ("value", value ?? ""), ("placeholder", placeholder)])])
        }
        return .element("form", [("method", "get"), ("action", "/events"), ("class", "filters"), ("id", "filters")], [
            .element("label", [], [.text("Status"), .element("select", [("name", "status")], statuses.map { value, label in
                .element("option", [("value", value)] + ((filters.status ?? "") == value ? [("selected", "")] : []), text: label)
            })]),
            field("type", "Type", filters.type, "invoice.* or invoice.paid"),
            field("from", "From", filters.from, "24h, 2026-12-01"),
            field("until", "Until", filters.until, "1h, 2026-12-02T10:00:00Z"),
            field("object", "Object id", filters.object, "in_…, pi_…"),
            field("id", "Event id", filters.id, "evt_…"),
            .element("button", [("type", "submit")], text: "Filter"),
            .element("a", [("href", "/events"), ("class", "reset")], text: "Clear"),
        ])
    }

    /// The table's column headings.
    static let columns = ["Received", "Event", "Type", "Object", "Status", "Attempts", "Last error"]

    /// The events.
    private func table() -> HTML {
        guard !page.events.isEmpty else { return .element("p", [("class", "empty"), ("id", "no-events")], text: "No events match.") }
        return .element("table", [("class", "events"), ("id", "events")], [
            .element("thead", [], [.element("tr", [], Self.columns.map { HTML.element("th", text: $0) })]),
            .element("tbody", [], page.events.map { event in
                .element("tr", [("data-status", event.status.rawValue)], [
                    .element("td", [("class", "time")], text: ConsolePage.time(event.record.receivedAt)),
                    .element("td", [], [.element("a", [("href", "/events/" + FormFields.encode(event.record.id))], text: event.record.id)]),
                    .element("td", text: event.record.type),
                    .element("td", [], [event.record.objectID.map { object in
                        .element("a", [("href", "/events" + FormFields.query([("object", object)]))], text: object)
                    } ?? .text("–")]),
                    .element("td", [], [ConsolePage.badge(event.status.rawValue)]),
                    .element("td", [("class", "number")], text: String(event.attempts)),
                    .element("td", [("class", "error")], text: event.status == .done ? "" : event.lastError.map { String($0.prefix(120)) } ?? ""),
                ])
            }),
        ])
    }

    /// Links to the first and the next page.
    private func pager() -> HTML {
        var links: [HTML] = []
        if isLaterPage { links.append(.element("a", [("href", "/events" + FormFields.query(filters.pairs))], text: "« Newest")) }
        if let next = page.next {
            links.append(.element("a", [("href", "/events" + FormFields.query(filters.pairs + [("after", next.token)])), ("rel", "next"), ("id", "next-page")], text: "Older »"))
        }
        return .element("p", [("class", "pager")], links)
    }
}
