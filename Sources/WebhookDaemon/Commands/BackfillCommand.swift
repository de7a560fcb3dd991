import EventStore
import Foundation
import StripeAPI
import WebhookSupport

/// `stripe-webhookd events backfill`: catches up on events that deliveries missed by listing Stripe's
/// Events API and storing every event the store lacks; the daemon's dispatcher runs their handlers.
enum BackfillCommand {
    static let help = """
        stripe-webhookd events backfill: store the events Stripe created that never arrived as deliveries.

        USAGE
          stripe-webhookd events backfill --since DURATION [--type PATTERN] [--dry-run] [--config FILE] [--store URL]

        Lists GET /v1/events on Stripe's API (every page; created within DURATION, e.g. 2h, 3d; the
        Events API keeps 30 days) with the config file's stripe.api_key (a restricted key with read
        access to Events is enough) and stores each event, oldest first, exactly as a delivery would
        be stored: an event whose id is already stored is counted and skipped, so running it twice, or
        while Stripe is still delivering, stores each event once. The daemon runs the stored events'
        handlers, once each and in order per object: at once if it is running (it polls the store), or
        when it starts. Stored events show source "backfill" in events list/show.

        --type PATTERN  only this type or prefix (invoice.*)
        --dry-run       fetch and count what would be stored; store nothing
        --config FILE   the daemon's config file (its "stripe" and "store" settings)
        --store URL     the event store (default: the config's, else sqlite:stripe-webhookd.sqlite)

        Prints how many events were fetched, stored and skipped. The key is never printed.

        EXIT CODES
          0 done; 1 Stripe's API or the store failed (nothing is lost: run it again); 2 usage or configuration

        """

    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        var scanner = ArgumentScanner(arguments, command: "events backfill")
        var since: String?
        var type: String?
        var dryRun = false
        var configFile: String?
        var storeFlag: String?
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--since": since = try scanner.value(for: option)
            case "--type": type = try scanner.value(for: option)
            case "--dry-run": try scanner.flag(option); dryRun = true
            case "--config": configFile = try scanner.value(for: option)
            case "--store": storeFlag = try scanner.value(for: option)
            default: throw scanner.unknown(option)
            }
        }
        guard scanner.positionals.isEmpty else { throw ConfigurationError("backfill takes no arguments besides its options") }
        guard let since, let window = TimeExpression.duration(since), window > 0 else {
            throw ConfigurationError("backfill needs --since DURATION, e.g. 2h or 3d (the Events API keeps 30 days)")
        }
        var pattern: EventTypePattern?
        if let type {
            do { pattern = try EventTypePattern(type) } catch { throw ConfigurationError("--type \(type): \(error.message)") }
        }
        var configuration = DaemonConfiguration()
        if let configFile { try configuration.apply(configFile: configFile) }
        try configuration.stripe.validate()
        let options = try configuration.stripe.apiOptions(environment: environment)
        let storeSetting = storeFlag ?? configuration.store

        let logger = Logger(label: "backfill", level: .warning, sink: LogSink(format: .text) { console.err($0) })
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if window > StripeConfiguration.eventsRetentionMilliseconds {
            console.err("note: the Events API keeps events for 30 days; older events cannot be fetched\n")
        }
        let sinceSeconds = (now - window) / 1000
        let catchUp = EventCatchUp(client: StripeAPIClient(options: options))
        let events: [ListedEvent]
        do {
            events = try catchUp.fetch(since: sinceSeconds, pattern: pattern)
        } catch {
            console.err("stripe-webhookd events backfill: \(error.message)\n")
            return .failure
        }
        let store: any EventStore
        do {
            store = try openStore(storeSetting, dryRun: dryRun, logger: logger)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            console.err("stripe-webhookd events backfill: \(error)\n")
            return .failure
        }
        defer { store.close() }
        let report: CatchUpReport
        do {
            report = try catchUp.store(events, into: store, dryRun: dryRun, now: now)
        } catch {
            console.err("stripe-webhookd events backfill: the store failed: \(error)\n")
            return .failure
        }
        let scope = (pattern.map { " of type \($0)" } ?? "") + " created since \(TimeExpression.iso(sinceSeconds * 1000))"
        console.out("fetched \(report.fetched) event\(report.fetched == 1 ? "" : "s")\(scope)\n")
        if dryRun {
            console.out("would store \(report.stored); \(report.skipped) already stored (dry run: nothing written)\n")
        } else {
            console.out("stored \(report.stored); skipped \(report.skipped) already stored\n")
            if report.stored > 0 {
                console.out("the daemon runs their handlers (now if it is running, else when it starts)\n")
            }
        }
        return .success
    }

    /// Opens the store: read-only for a dry run (an absent database means nothing is stored yet:
    /// a memory store stands in), read-write otherwise (created if new, as the daemon would).
    static func openStore(_ setting: String, dryRun: Bool, logger: Logger) throws -> any EventStore {
        let location: StoreLocation
        do { location = try StoreLocation(parsing: setting) } catch { throw ConfigurationError(error.message) }
        switch location {
        case .memory:
            throw ConfigurationError("the memory store lives inside the daemon process; backfill needs sqlite:PATH")
        case .postgres(let url):
            return try PostgreSQLStoreSetting(url: url).open(environment: ProcessInfo.processInfo.environment, options: .init(readOnly: dryRun), logger: logger)
        case .sqlite(let path):
            if dryRun {
                guard FileManager.default.fileExists(atPath: path) else { return MemoryEventStore() }
                return try SQLiteEventStore(path: path, logger: logger, options: .init(readOnly: true))
            }
            return try SQLiteEventStore(path: path, logger: logger)
        }
    }
}
