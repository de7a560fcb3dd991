import EventStore
import Foundation
import StripeWebhooks
import WebhookSupport

/// `stripe-webhookd events`: look at and requeue stored events, safely while the daemon runs (the
/// SQLite store is shared in WAL mode; the daemon picks requeued events up within a second).
enum EventsCommand {
    static let help = """
        stripe-webhookd events: inspect, replay and prune the events the daemon stored.

        USAGE
          stripe-webhookd events list [--status pending|done|failed] [--type PATTERN] [--since T] [--limit N] [--json]
          stripe-webhookd events show ID [--json]
          stripe-webhookd events replay ID... [--force]
          stripe-webhookd events replay --failed [--type PATTERN]
          stripe-webhookd events prune --older-than DURATION [--include-failed] [--dry-run]
          stripe-webhookd events backup --to FILE [--force]
          stripe-webhookd events backfill --since DURATION [--type PATTERN] [--dry-run]   (see events backfill --help)
          stripe-webhookd events copy --from sqlite:PATH --to postgres://USER@HOST/DB   (see events copy --help)

        Every subcommand takes --store URL (default sqlite:stripe-webhookd.sqlite) or --config FILE (its
        "store"), so it reads the same database as the daemon, which may keep running.

        list      newest first (default --limit 50). PATTERN is an event type, a prefix wildcard such as
                  invoice.* (never matches invoiceitem.*), or *. T is a duration ago (30m, 2h, 7d), Unix
                  seconds, or an ISO 8601 date. --json prints one object per line: id, type, status,
                  attempts, received_at, object_id, livemode, payload_style (snapshot or thin), last_error,
                  source, blocked_by. When more events match than the limit, a note on stderr says so.
        show      the event's fields, its payload, and every handler attempt with its error or output.
                  A pending event that waits behind an older event about the same Stripe object says
                  which (list too): "waiting behind evt_… (attempt N, next retry in …, last error …)".
        replay    makes events pending again with attempts reset; handlers that already succeeded are
                  not rerun. A done event is replayed only with --force (then every handler runs again).
                  --failed requeues every dead letter (optionally only those matching --type).
        prune     deletes done events received longer ago than DURATION (e.g. 30d); failed ones too with
                  --include-failed. Pending events are never pruned. --dry-run counts what would go
                  and deletes nothing.
        backup    a consistent copy of the store in FILE, taken while the daemon runs; never over an
                  existing FILE without --force. See 'stripe-webhookd events backup --help'.

        EXIT CODES
          0 done; 1 the store could not be read or written; 2 usage; 3 an ID was not found or needs --force

        """

    /// Options every subcommand shares.
    struct Options {
        var store = "sqlite:\(StoreLocation.defaultSQLitePath)"
        var json = false
        var status: EventStatus?
        var type: String?
        var since: String?
        var limit: Int64 = 50
        var force = false
        var failed = false
        var olderThan: String?
        var includeFailed = false
        var dryRun = false
        var ids: [String] = []
    }

    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        var arguments = arguments
        guard let sub = arguments.first, !sub.hasPrefix("-") else {
            if arguments.contains("-h") || arguments.contains("--help") {
                console.out(help)
                return .success
            }
            throw ConfigurationError("name a subcommand: list, show, replay, prune, backup, backfill or copy; see 'stripe-webhookd events --help'")
        }
        arguments.removeFirst()
        if sub == "backup" { return try EventsBackupCommand.run(arguments, environment: environment, console: console) }
        if sub == "backfill" { return try BackfillCommand.run(arguments, environment: environment, console: console) }
        if sub == "copy" { return try EventsCopyCommand.run(arguments, environment: environment, console: console) }
        var scanner = ArgumentScanner(arguments, command: "events \(sub)")
        var options = Options()
        var storeFlag: String?
        var configFile: String?
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--store": storeFlag = try scanner.value(for: option)
            case "--config": configFile = try scanner.value(for: option)
            case "--json": try scanner.flag(option); options.json = true
            case "--status":
                let text = try scanner.value(for: option)
                guard let status = EventStatus(rawValue: text) else { throw ConfigurationError("--status \(text): expected pending, done or failed") }
                options.status = status
            case "--type": options.type = try scanner.value(for: option)
            case "--since": options.since = try scanner.value(for: option)
            case "--limit": options.limit = try scanner.integer(for: option, in: 1...1_000_000)
            case "--force": try scanner.flag(option); options.force = true
            case "--failed": try scanner.flag(option); options.failed = true
            case "--older-than": options.olderThan = try scanner.value(for: option)
            case "--include-failed": try scanner.flag(option); options.includeFailed = true
            case "--dry-run": try scanner.flag(option); options.dryRun = true
            default: throw scanner.unknown(option)
            }
        }
        options.ids = scanner.positionals
        if let configFile {
            var configuration = DaemonConfiguration()
            try configuration.apply(configFile: configFile)
            options.store = configuration.store
        }
        if let storeFlag { options.store = storeFlag }
        if let type = options.type {
            do { _ = try EventTypePattern(type) } catch { throw ConfigurationError("--type \(type): \(error.message)") }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)

        // Check the arguments before opening (and perhaps creating) the database.
        switch sub {
        case "list":
            guard options.ids.isEmpty else { throw ConfigurationError("list takes no ids; use 'events show ID'") }
        case "show":
            guard options.ids.count == 1 else { throw ConfigurationError("show takes exactly one event id") }
        case "replay":
            guard options.failed != !options.ids.isEmpty else { throw ConfigurationError("replay takes event ids, or --failed (not both)") }
        case "prune":
            guard let olderThan = options.olderThan, TimeExpression.duration(olderThan) != nil else {
                throw ConfigurationError("prune needs --older-than DURATION, e.g. 30d, 12h or 90m")
            }
        default:
            throw ConfigurationError("unknown subcommand '\(sub)': use list, show, replay, prune, backup or backfill")
        }
        let store = try openStore(options.store, readOnly: sub == "list" || sub == "show" || (sub == "prune" && options.dryRun))
        defer { store.close() }
        do {
            switch sub {
            case "list": return try list(store, options, now: now, console: console)
            case "show": return try show(store, id: options.ids[0], json: options.json, console: console)
            case "replay": return try replay(store, options, now: now, console: console)
            default:
                let cutoff = now - TimeExpression.duration(options.olderThan!)!
                if options.dryRun { return try pruneDryRun(store, cutoff: cutoff, includeFailed: options.includeFailed, console: console) }
                let count = try store.prune(olderThan: cutoff, includeFailed: options.includeFailed)
                console.out("pruned \(count) event\(count == 1 ? "" : "s") received before \(TimeExpression.iso(cutoff))\(options.includeFailed ? " (done and failed)" : " (done only)")\n")
                return .success
            }
        } catch {
            console.err("stripe-webhookd events \(sub): \(error)\n")
            return .failure
        }
    }

    /// Opens the daemon's store for an operator command; read-only for commands that only look.
    static func openStore(_ setting: String, readOnly: Bool) throws -> any EventStore {
        let location: StoreLocation
        do { location = try StoreLocation(parsing: setting) } catch { throw ConfigurationError(error.message) }
        switch location {
        case .memory:
            throw ConfigurationError("the memory store lives inside the daemon process; events commands need sqlite:PATH")
        case .postgres(let url):
            return try PostgreSQLStoreSetting(url: url).open(
                environment: ProcessInfo.processInfo.environment, options: .init(readOnly: readOnly), logger: Logger(label: "events", level: .warning))
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError("no event store at \(path): pass the daemon's --store or --config (run from the daemon's working directory for the default)")
            }
            // list and show open read-only: no writer thread, no lock taken, nothing the daemon waits for.
            return try SQLiteEventStore(path: path, logger: Logger(label: "events", level: .warning), options: .init(readOnly: readOnly))
        }
    }

    static func list(_ store: any EventStore, _ options: Options, now: Int64, console: Console) throws -> ExitCode {
        var since: Int64?
        if let text = options.since {
            guard let instant = TimeExpression.instant(text, now: now) else {
                throw ConfigurationError("--since \(text): expected a duration ago (30m, 2h, 7d), Unix seconds or an ISO 8601 date")
            }
            since = instant
        }
        // One more than the limit: whether the list was cut, so that it can say so.
        var events = try store.list(status: options.status, typePattern: options.type, since: since, limit: Int(options.limit) + 1)
        let cut = events.count > Int(options.limit)
        if cut { events.removeLast() }
        defer {
            if cut { console.err("(showing the newest \(options.limit); --limit N for more)\n") }
        }
        if options.json {
            for event in events {
                var line = jsonLine(event)
                line.removeLast()
                line += ",\"blocked_by\":\(try blockingNote(for: event, in: store, now: now)?.json ?? "null")}"
                console.out(line + "\n")
            }
            return .success
        }
        if events.isEmpty {
            console.out("no events\n")
            return .success
        }
        console.out(pad("RECEIVED", 25) + pad("STATUS", 8) + pad("TRIES", 6) + pad("SOURCE", 9) + pad("PAYLOAD", 9) + pad("TYPE", 34) + "ID\n")
        for event in events {
            console.out(pad(TimeExpression.iso(event.record.receivedAt), 25) + pad(event.status.rawValue, 8)
                + pad(String(event.attempts), 6) + pad(event.record.source.rawValue, 9) + pad(payloadStyle(of: event.record), 9)
                + pad(event.record.type, 34) + event.record.id + "\n")
            if let note = try blockingNote(for: event, in: store, now: now) {
                console.out(String(repeating: " ", count: 57) + "└ " + note.text + "\n")
            }
        }
        return .success
    }

    /// Why a pending event has not run yet, when an older event about its object holds it back.
    static func blockingNote(for event: StoredEvent, in store: any EventStore, now: Int64) throws -> BlockingNote? {
        guard event.status == .pending, event.record.objectID != nil else { return nil }
        return try store.blockingEvent(of: event.record.id, now: now).map { BlockingNote(blocker: $0, now: now) }
    }

    /// `prune --dry-run`: what a prune with the same options would delete now; deletes nothing.
    static func pruneDryRun(_ store: any EventStore, cutoff: Int64, includeFailed: Bool, console: Console) throws -> ExitCode {
        let counts = try store.prunableCounts(olderThan: cutoff, includeFailed: includeFailed)
        let total = counts.values.reduce(0, +)
        var detail = "\(counts[.done] ?? 0) done"
        if includeFailed { detail += ", \(counts[.failed] ?? 0) failed" }
        console.out("dry run: would prune \(total) event\(total == 1 ? "" : "s") received before \(TimeExpression.iso(cutoff)) (\(detail)); nothing deleted\n")
        return .success
    }

    static func show(_ store: any EventStore, id: String, json: Bool, console: Console) throws -> ExitCode {
        guard let event = try store.event(id: id) else {
            console.err("stripe-webhookd events show: no event \(id)\n")
            return .rejected
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let blocking = try blockingNote(for: event, in: store, now: now)
        if json {
            var line = jsonLine(event)
            line.removeLast()
            line += ",\"blocked_by\":" + (blocking?.json ?? "null")
            line += ",\"payload\":" + String(decoding: event.record.body, as: UTF8.self)
            line += ",\"handlers\":[" + event.handlers.map(handlerJSON).joined(separator: ",") + "]}"
            console.out(line + "\n")
            return .success
        }
        let r = event.record
        var text = """
            id:           \(r.id)
            type:         \(r.type)
            status:       \(event.status.rawValue)\(event.isClaimed ? " (being handled now)" : "")
            attempts:     \(event.attempts)
            received_at:  \(TimeExpression.iso(r.receivedAt))
            created:      \(TimeExpression.iso(r.created * 1000))
            livemode:     \(r.livemode)
            style:        \(payloadStyle(of: r))
            object_id:    \(r.objectID ?? "-")
            account:      \(r.account ?? "-")
            api_version:  \(r.apiVersion ?? "-")
            verified_by:  \(r.verifiedBy ?? "-")
            source:       \(r.source.rawValue)

            """
        if let next = event.nextAttemptAt, event.status == .pending { text += "next_attempt: \(TimeExpression.iso(next))\n" }
        if let error = event.lastError { text += "last_error:   \(error)\n" }
        if let blocking { text += "blocked_by:   \(blocking.text)\n" }
        if let note = event.handlers.compactMap(\.output).first(where: { $0.hasPrefix(EventDispatcher.staleNote) }) {
            text += "stale:        yes: \(note.dropFirst(EventDispatcher.staleNote.count).prefix { $0 != "\n" })\n"
        }
        text += "\nhandler runs:\n"
        if event.handlers.isEmpty { text += "  (none yet)\n" }
        for run in event.handlers {
            let took = run.finishedAt.map { " in \($0 - run.startedAt) ms" } ?? " (unfinished)"
            text += "  attempt \(run.attempt)\(run.replay > 0 ? " (replay \(run.replay))" : "")  \(run.handler)  \(run.succeeded ? "ok" : "FAILED")\(took)  at \(TimeExpression.iso(run.startedAt))\n"
            if let error = run.error { text += "    error:  \(error)\n" }
            if let output = run.output, !output.isEmpty { text += "    output: \(output.replacingOccurrences(of: "\n", with: "\n            "))\n" }
        }
        text += "\npayload:\n" + String(decoding: r.body, as: UTF8.self) + "\n"
        console.out(text)
        return .success
    }

    static func replay(_ store: any EventStore, _ options: Options, now: Int64, console: Console) throws -> ExitCode {
        if options.failed {
            let count = try store.requeueFailed(typePattern: options.type, now: now)
            console.out("requeued \(count) failed event\(count == 1 ? "" : "s")\n")
            return .success
        }
        let outcomes = try store.requeue(ids: options.ids, force: options.force, now: now)
        var status = ExitCode.success
        for id in options.ids {
            switch outcomes[id] ?? .notFound {
            case .requeued: console.out("\(id): requeued\n")
            case .notFound: console.err("\(id): no such event\n"); status = .rejected
            case .claimed: console.err("\(id): being handled right now; try again when it finishes\n"); status = .rejected
            case .needsForce: console.err("\(id): already done; replay it with --force to run every handler again\n"); status = .rejected
            }
        }
        return status
    }

    static func jsonLine(_ event: StoredEvent) -> String {
        let r = event.record
        var fields = [
            "\"id\":\(LogSink.jsonString(r.id))", "\"type\":\(LogSink.jsonString(r.type))",
            "\"status\":\(LogSink.jsonString(event.status.rawValue))", "\"attempts\":\(event.attempts)",
            "\"received_at\":\(LogSink.jsonString(TimeExpression.iso(r.receivedAt)))",
            "\"object_id\":\(r.objectID.map(LogSink.jsonString) ?? "null")", "\"livemode\":\(r.livemode)",
            "\"payload_style\":\(LogSink.jsonString(payloadStyle(of: r)))",
            "\"created\":\(r.created)", "\"verified_by\":\(r.verifiedBy.map(LogSink.jsonString) ?? "null")",
            "\"last_error\":\(event.lastError.map(LogSink.jsonString) ?? "null")",
            "\"source\":\(LogSink.jsonString(r.source.rawValue))",
        ]
        if let next = event.nextAttemptAt { fields.append("\"next_attempt_at\":\(LogSink.jsonString(TimeExpression.iso(next)))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func handlerJSON(_ run: HandlerRun) -> String {
        "{\"handler\":\(LogSink.jsonString(run.handler)),\"attempt\":\(run.attempt),\"replay\":\(run.replay),"
            + "\"started_at\":\(LogSink.jsonString(TimeExpression.iso(run.startedAt))),\"succeeded\":\(run.succeeded),"
            + "\"error\":\(run.error.map(LogSink.jsonString) ?? "null"),\"output\":\(run.output.map(LogSink.jsonString) ?? "null")}"
    }

    /// `snapshot` or `thin`, judged from the stored body's `object` (`-` for a body that is neither).
    static func payloadStyle(of record: EventRecord) -> String {
        PayloadStyle.of(record.body)?.rawValue ?? "-"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
