import EventStore

/// The console's front page: the last 24 hours by hour and outcome and by type, the backlog, dead
/// letters with their replay buttons, handlers' failure rates and what `/readyz` says now.
struct OverviewPage {
    /// Counts per hour, type and status since `since`.
    let hourly: [HourlyEventCount]
    /// The first hour shown (Unix ms, an hour boundary); 24 bars follow.
    let since: Int64
    /// Counts by status, backlog and oldest pending event.
    let summary: EventStoreSummary
    /// Dead letters by type.
    let deadLetters: [String: Int]
    /// Handler runs and failures in the last 24 hours, configured handlers included without runs.
    let handlers: [HandlerFailureRate]
    /// `/readyz`'s failures now; empty when ready.
    let readinessFailures: [String]
    /// When the page was made (Unix ms).
    let now: Int64
    /// How many dead letters a replay just requeued, to say so.
    let replayed: Int?
    /// The oldest pending event, and the event holding it back if one does.
    let oldestPending: (event: StoredEvent, blockedBy: StoredEvent?)?

    /// Bars in the chart.
    static let hours = 24
    /// Types drawn on their own in the by-type chart; the rest are summed as "other".
    static let chartTypes = 6

    /// The page.
    func render(navigation: HTML) -> HTML {
        var sections: [HTML] = [navigation]
        var main: [HTML] = [.element("h1", text: "Overview")]
        if let replayed {
            main.append(.element("p", [("class", "notice")], text: "Requeued \(replayed) dead letter\(replayed == 1 ? "" : "s"); the dispatcher picks them up now."))
        }
        main.append(readiness())
        main.append(backlog())
        if let oldestPending { main.append(oldest(oldestPending.event, blockedBy: oldestPending.blockedBy)) }
        main.append(.element("section", [("class", "chart-box"), ("id", "by-outcome")], [
            .element("h2", text: "Events per hour, last 24 h, by outcome"), outcomeChart().render(),
        ]))
        main.append(.element("section", [("class", "chart-box"), ("id", "by-type")], [
            .element("h2", text: "Events per hour, last 24 h, by type"), typeChart().render(),
        ]))
        main.append(deadLetterTable())
        main.append(handlerTable())
        sections.append(.element("main", [], main))
        return ConsolePage.document(title: "Overview", body: sections, refresh: true)
    }

    /// The hour labels, `HH:00` UTC.
    private var labels: [String] {
        (0..<Self.hours).map { index in
            let hour = (since / HourlyEventCount.hourMillis + Int64(index)) % 24
            return (hour < 10 ? "0" : "") + "\(hour):00"
        }
    }

    /// The bar an hour's count belongs to, if it is in the window.
    private func bar(_ count: HourlyEventCount) -> Int? {
        let index = Int((count.hourStart - since) / HourlyEventCount.hourMillis)
        return (0..<Self.hours).contains(index) ? index : nil
    }

    /// Stacked by outcome: done, pending, failed.
    func outcomeChart() -> SVGChart {
        var counts: [EventStatus: [Int]] = [:]
        for status in EventStatus.allCases { counts[status] = Array(repeating: 0, count: Self.hours) }
        for count in hourly { if let index = bar(count) { counts[count.status]?[index] += count.count } }
        let series = [EventStatus.done, .pending, .failed].map { SVGChart.Series(name: $0.rawValue, cssClass: $0.rawValue, counts: counts[$0] ?? []) }
        return SVGChart(labels: labels, series: series, title: "Events per hour by outcome")
    }

    /// Stacked by type: the busiest types, then the rest as "other".
    func typeChart() -> SVGChart {
        var totals: [String: Int] = [:]
        for count in hourly where bar(count) != nil { totals[count.type, default: 0] += count.count }
        let top = totals.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(Self.chartTypes).map(\.key)
        var counts: [String: [Int]] = [:]
        for count in hourly {
            guard let index = bar(count) else { continue }
            let key = top.contains(count.type) ? count.type : "other"
            counts[key, default: Array(repeating: 0, count: Self.hours)][index] += count.count
        }
        var series = top.enumerated().map { SVGChart.Series(name: $0.element, cssClass: "s\($0.offset)", counts: counts[$0.element] ?? []) }
        if let other = counts["other"] { series.append(SVGChart.Series(name: "other", cssClass: "s6", counts: other)) }
        return SVGChart(labels: labels, series: series, title: "Events per hour by type")
    }

    /// What `/readyz` answers now.
    private func readiness() -> HTML {
        if readinessFailures.isEmpty {
            return .element("p", [("class", "ready ok"), ("id", "readiness")], text: "/readyz: ready")
        }
        return .element("div", [("class", "ready failing"), ("id", "readiness")], [
            .element("p", text: "/readyz: not ready"),
            .element("ul", [], readinessFailures.map { .element("li", text: $0) }),
        ])
    }

    /// Counts by status and the backlog's age.
    private func backlog() -> HTML {
        let oldest = summary.oldestPendingReceivedAt.map { "oldest received \(ConsolePage.time($0)), \(ConsolePage.duration(max(0, now - $0))) ago" }
        let cells: [(String, Int, String, String?)] = [
            ("pending", summary.pending, "/events?status=pending", oldest),
            ("in progress", summary.claimed, "/events?status=pending", nil),
            ("dead letters", summary.counts[.failed] ?? 0, "/events?status=failed", nil),
            ("done", summary.counts[.done] ?? 0, "/events?status=done", nil),
        ]
        return .element("section", [("class", "tiles"), ("id", "backlog")], cells.map { label, value, href, note in
            .element("a", [("class", "tile"), ("href", href)], [
                .element("span", [("class", "value")], text: String(value)), .element("span", [("class", "label")], text: label),
                note.map { .element("span", [("class", "note")], text: $0) } ?? .empty,
            ])
        })
    }

    /// The oldest pending event: what the backlog's age is about.
    private func oldest(_ event: StoredEvent, blockedBy: StoredEvent?) -> HTML {
        var parts: [HTML] = [
            .text("Oldest pending: "), .element("a", [("href", "/events/" + FormFields.encode(event.record.id))], text: event.record.id),
            .text(" \(event.record.type), received \(ConsolePage.duration(max(0, now - event.record.receivedAt))) ago, attempt \(event.attempts)"),
        ]
        if let error = event.lastError { parts.append(.text(", last error: \(error)")) }
        if let blockedBy {
            parts.append(.text("; waiting behind "))
            parts.append(.element("a", [("href", "/events/" + FormFields.encode(blockedBy.record.id))], text: blockedBy.record.id))
        }
        return .element("p", [("class", "warning"), ("id", "oldest-pending")], parts)
    }

    /// Dead letters by type, each with a link to its replay confirmation.
    private func deadLetterTable() -> HTML {
        let rows = deadLetters.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        let body: HTML = rows.isEmpty
            ? .element("p", [("class", "empty")], text: "No dead letters.")
            : .element("table", [], [
                .element("thead", [], [.element("tr", [], [.element("th", text: "Type"), .element("th", text: "Dead letters"), .element("th", text: "")])]),
                .element("tbody", [], rows.map { type, count in
                    .element("tr", [], [
                        .element("td", [], [.element("a", [("href", "/events" + FormFields.query([("status", "failed"), ("type", type)]))], text: type)]),
                        .element("td", [("class", "number")], text: String(count)),
                        .element("td", [], [.element("a", [("class", "button"), ("href", "/dead-letters/replay" + FormFields.query([("type", type)]))], text: "Replay all…")]),
                    ])
                }),
            ])
        return .element("section", [("id", "dead-letters")], [.element("h2", text: "Dead letters"), body])
    }

    /// Handlers with runs, failures and failure rate over 24 hours.
    private func handlerTable() -> HTML {
        let body: HTML = handlers.isEmpty
            ? .element("p", [("class", "empty")], text: "No handlers configured.")
            : .element("table", [], [
                .element("thead", [], [.element("tr", [], [
                    .element("th", text: "Handler"), .element("th", text: "Runs (24 h)"), .element("th", text: "Failed"), .element("th", text: "Failure rate"),
                ])]),
                .element("tbody", [], handlers.map { rate in
                    let percent = rate.runs == 0 ? "–" : "\(Int((rate.rate * 100).rounded())) %"
                    return .element("tr", rate.failures > 0 ? [("class", "has-failures")] : [], [
                        .element("td", text: rate.handler), .element("td", [("class", "number")], text: String(rate.runs)),
                        .element("td", [("class", "number")], text: String(rate.failures)), .element("td", [("class", "number")], text: percent),
                    ])
                }),
            ])
        return .element("section", [("id", "handlers")], [.element("h2", text: "Handlers"), body])
    }
}
