import EventStore
import StripeWebhooks

/// One event: its envelope, the actions, each handler's attempts as a timeline (status, duration,
/// error, captured output), the payload pretty-printed with the raw bytes downloadable, and the events
/// about the same object before and after it.
struct EventDetailPage {
    /// The event with its handler runs.
    let event: StoredEvent
    /// Events about the same object around it.
    let related: RelatedEvents
    /// The event holding this pending one back, if any.
    let blockedBy: StoredEvent?
    /// Whether a replay was just requested.
    let replayed: Bool

    /// The page.
    func render(navigation: HTML) -> HTML {
        let record = event.record
        var main: [HTML] = [
            .element("h1", [], [.text(record.type + " "), ConsolePage.badge(event.status.rawValue)]),
            .element("p", [("class", "event-id")], text: record.id),
        ]
        if replayed {
            main.append(.element("p", [("class", "notice")], text: "Requeued: the dispatcher runs its handlers again now. Reload to follow the attempts."))
        }
        if let blockedBy {
            main.append(.element("p", [("class", "warning")], [
                .text("Waiting behind "), .element("a", [("href", "/events/" + FormFields.encode(blockedBy.record.id))], text: blockedBy.record.id),
                .text(" (events about one object are handled in the order received)."),
            ]))
        }
        main.append(facts())
        main.append(.element("p", [("class", "actions")], [
            .element("a", [("class", "button"), ("href", "/events/" + FormFields.encode(record.id) + "/replay"), ("id", "replay")], text: "Replay…"),
            .element("a", [("class", "button secondary"), ("href", "/events/" + FormFields.encode(record.id) + "/raw"), ("download", record.id + ".json")], text: "Download raw body"),
        ]))
        main.append(timeline())
        main.append(relatedSection())
        main.append(.element("section", [("id", "payload")], [.element("h2", text: "Payload"), .element("pre", [("class", "json")], text: payloadText())]))
        return ConsolePage.document(title: record.id, body: [navigation, .element("main", [], main)])
    }

    /// The envelope as a definition list.
    private func facts() -> HTML {
        let record = event.record
        let request = Self.apiRequest(in: record.body)
        var rows: [(String, HTML)] = [
            ("Status", .text(event.status.rawValue + (event.status == .done ? "" : event.lastError.map { ": " + $0 } ?? ""))),
            ("Attempts", .text(String(event.attempts) + (event.replay > 0 ? " (replay \(event.replay))" : ""))),
            ("Received", .text(ConsolePage.time(record.receivedAt))),
            ("Created at Stripe", .text(ConsolePage.time(record.created * 1000))),
            ("Object", record.objectID.map { .element("a", [("href", "/events" + FormFields.query([("object", $0)]))], text: $0) } ?? .text("–")),
            ("Mode", .text(record.livemode ? "live" : "test")),
            ("Verified by secret", .text(record.verifiedBy ?? "(unlabelled secret)")),
            ("Caused by", .text(request ?? "no API request (an automatic event)")),
        ]
        if let account = record.account { rows.append(("Connect account", .text(account))) }
        if let version = record.apiVersion { rows.append(("API version", .text(version))) }
        if let next = event.nextAttemptAt, event.status == .pending { rows.append(("Next attempt", .text(ConsolePage.time(next)))) }
        return .element("dl", [("class", "facts")], rows.flatMap { [HTML.element("dt", text: $0.0), .element("dd", [], [$0.1])] })
    }

    /// `request.id` and `request.idempotency_key` from the payload: the API call that caused the event.
    static func apiRequest(in body: [UInt8]) -> String? {
        guard let value = try? JSONParser().parse(body), let request = value["request"], let id = request["id"]?.stringValue else { return nil }
        if let key = request["idempotency_key"]?.stringValue { return "API request \(id) (idempotency key \(key))" }
        return "API request \(id)"
    }

    /// The handler runs grouped by replay and attempt, oldest first.
    private func timeline() -> HTML {
        guard !event.handlers.isEmpty else {
            return .element("section", [("id", "attempts")], [.element("h2", text: "Attempts"), .element("p", [("class", "empty")], text: "No handler has run yet.")])
        }
        var groups: [(key: String, runs: [HandlerRun])] = []
        for run in event.handlers {
            let key = (run.replay > 0 ? "Replay \(run.replay), " : "") + "attempt \(run.attempt)"
            if groups.last?.key == key { groups[groups.count - 1].runs.append(run) } else { groups.append((key, [run])) }
        }
        return .element("section", [("id", "attempts")], [
            .element("h2", text: "Attempts"),
            .element("ol", [("class", "timeline")], groups.map { group in
                .element("li", [], [
                    .element("h3", text: group.key.prefix(1).uppercased() + group.key.dropFirst()),
                    .join(group.runs.map(run)),
                ])
            }),
        ])
    }

    /// One handler run.
    private func run(_ run: HandlerRun) -> HTML {
        let outcome = run.succeeded ? "done" : "failed"
        let duration = run.finishedAt.map { ConsolePage.duration(max(0, $0 - run.startedAt)) } ?? "unfinished"
        return .element("div", [("class", "run \(outcome)")], [
            .element("p", [], [
                ConsolePage.badge(run.succeeded ? "succeeded" : "failed"), .text(" "), .element("strong", text: run.handler),
                .text(" · started \(ConsolePage.time(run.startedAt)) · \(duration)"),
            ]),
            run.error.map { .element("p", [("class", "error")], text: $0) } ?? .empty,
            run.output.map { .element("pre", [("class", "output")], text: $0) } ?? .empty,
        ])
    }

    /// The events about the same object before and after this one.
    private func relatedSection() -> HTML {
        guard let object = event.record.objectID else { return .empty }
        func list(_ events: [StoredEvent], _ none: String) -> HTML {
            guard !events.isEmpty else { return .element("p", [("class", "empty")], text: none) }
            return .element("ul", [("class", "related")], events.map { other in
                .element("li", [], [
                    .element("a", [("href", "/events/" + FormFields.encode(other.record.id))], text: other.record.id),
                    .text(" " + other.record.type + " · " + ConsolePage.time(other.record.receivedAt) + " "), ConsolePage.badge(other.status.rawValue),
                ])
            })
        }
        return .element("section", [("id", "related")], [
            .element("h2", text: "Other events about " + object),
            .element("h3", text: "Before"), list(related.before, "None stored."),
            .element("h3", text: "After"), list(related.after, "None stored."),
        ])
    }

    /// The payload indented, or as received when it does not parse.
    private func payloadText() -> String {
        guard let value = try? JSONParser().parse(event.record.body) else { return String(decoding: event.record.body, as: UTF8.self) }
        return PrettyJSON.render(value)
    }
}
