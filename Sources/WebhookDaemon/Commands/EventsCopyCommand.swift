import EventStore
import Foundation
import WebhookSupport

/// `stripe-webhookd events copy --from sqlite:PATH --to postgres://…`: moves an SQLite store into a
/// PostgreSQL store that several daemons can share.
enum EventsCopyCommand {
    static let help = """
        stripe-webhookd events copy: move an SQLite event store into PostgreSQL.

        USAGE
          stripe-webhookd events copy --from sqlite:PATH --to postgres://USER[:PASSWORD]@HOST[:PORT]/DB

        Copies every event with its status, attempts, next retry, last error, replays and handler runs,
        oldest first, then the handlers' dedupe keys. Events the destination already holds are skipped
        with everything about them, so running it twice copies nothing twice. The destination is
        created or migrated as a daemon would. The password may be env:NAME or file:PATH
        (postgres://webhookd:env:WEBHOOKD_DB_PASSWORD@db/webhookd); PGPASSWORD and ~/.pgpass work too.

        Stop the daemon on the SQLite store first: events it holds at that moment arrive pending and
        are handled again. Then start the daemons with --store postgres://….

        EXIT CODES
          0 copied; 1 a store could not be read or written; 2 usage

        """

    /// Runs the subcommand with the arguments after `copy`.
    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        var scanner = ArgumentScanner(arguments, command: "events copy")
        var from: String?
        var to: String?
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--from": from = try scanner.value(for: option)
            case "--to": to = try scanner.value(for: option)
            default: throw scanner.unknown(option)
            }
        }
        guard scanner.positionals.isEmpty else { throw ConfigurationError("copy takes no positional arguments; use --from and --to") }
        guard let from, let to else { throw ConfigurationError("copy needs --from sqlite:PATH and --to postgres://USER@HOST/DB") }
        let source: String
        let destination: String
        do {
            guard case .sqlite(let path) = try StoreLocation(parsing: from) else {
                throw ConfigurationError("--from must be an SQLite store (sqlite:PATH)")
            }
            guard case .postgres(let url) = try StoreLocation(parsing: to) else {
                throw ConfigurationError("--to must be a PostgreSQL store (postgres://USER@HOST/DB)")
            }
            source = path
            destination = url
        } catch let error as EventStoreError {
            throw ConfigurationError(error.message)
        }
        guard FileManager.default.fileExists(atPath: source) else { throw ConfigurationError("no event store at \(source)") }
        let logger = Logger(label: "events", level: .warning)
        do {
            let store = try PostgreSQLStoreSetting(url: destination).open(environment: environment, options: .init(), logger: logger)
            defer { store.close() }
            let report = try store.copy(fromSQLite: source)
            console.out("""
                copied \(report.copiedEvents) event\(report.copiedEvents == 1 ? "" : "s") (\(report.handlerRuns) handler runs, \
                \(report.dedupeKeys) dedupe keys) from \(source) to \(store.label); \(report.skippedEvents) already there\n
                """)
            return .success
        } catch let error as ConfigurationError {
            throw error
        } catch {
            console.err("stripe-webhookd events copy: \(error)\n")
            return .failure
        }
    }
}
