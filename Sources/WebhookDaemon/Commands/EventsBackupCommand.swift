import EventStore
import Foundation

/// `stripe-webhookd events backup --to FILE`: a consistent copy of the SQLite store, safe while the
/// daemon runs (SQLite's online backup API reads one snapshot; the daemon keeps writing meanwhile).
enum EventsBackupCommand {
    static let help = """
        stripe-webhookd events backup: copy the event store, safely while the daemon runs.

        USAGE
          stripe-webhookd events backup --to FILE [--force] [--store URL | --config FILE]

        Copies one consistent snapshot of the database (every event committed before the copy
        started) into FILE, a single self-contained SQLite file (no -wal beside it) with mode 0600.
        An existing FILE is never overwritten unless --force is given. Prints the events and bytes
        copied. The copy is a valid store: `events list --store sqlite:FILE` reads it, and a daemon
        started with --store sqlite:FILE serves from it.

        RESTORING
          stop the daemon; replace its database file with the copy; delete the old database's -wal
          and -shm files if they are there; start the daemon.

        EXIT CODES
          0 copied; 1 the store could not be read or the copy written; 2 usage; 3 FILE exists (use --force)

        """

    /// Runs the subcommand with the arguments after `backup`.
    static func run(_ arguments: [String], environment: [String: String], console: Console) throws -> ExitCode {
        var scanner = ArgumentScanner(arguments, command: "events backup")
        var destination: String?
        var force = false
        var store = "sqlite:\(StoreLocation.defaultSQLitePath)"
        var storeFlag: String?
        var configFile: String?
        while let option = scanner.nextOption() {
            switch option.name {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--to": destination = try scanner.value(for: option)
            case "--force": try scanner.flag(option); force = true
            case "--store": storeFlag = try scanner.value(for: option)
            case "--config": configFile = try scanner.value(for: option)
            default: throw scanner.unknown(option)
            }
        }
        guard scanner.positionals.isEmpty else { throw ConfigurationError("backup takes no positional arguments; name the copy with --to FILE") }
        guard let destination, !destination.isEmpty else { throw ConfigurationError("backup needs --to FILE, the copy to write") }
        if let configFile {
            var configuration = DaemonConfiguration()
            try configuration.apply(configFile: configFile)
            store = configuration.store
        }
        if let storeFlag { store = storeFlag }
        let source: String
        do {
            guard case .sqlite(let path) = try StoreLocation(parsing: store) else {
                throw ConfigurationError("the memory store lives inside the daemon process and cannot be backed up; events commands need sqlite:PATH")
            }
            source = path
        } catch let error as EventStoreError {
            throw ConfigurationError(error.message)
        }
        guard FileManager.default.fileExists(atPath: source) else {
            throw ConfigurationError("no event store at \(source): pass the daemon's --store or --config (run from the daemon's working directory for the default)")
        }
        guard (try? destination.standardizingPathForComparison()) != (try? source.standardizingPathForComparison()) else {
            throw ConfigurationError("--to \(destination) is the store itself; name another file")
        }
        do {
            let report = try SQLiteBackup.copy(from: source, to: destination, overwrite: force)
            console.out("backed up \(report.events) event\(report.events == 1 ? "" : "s") (\(report.bytes) bytes, schema version \(report.schemaVersion)) from \(source) to \(destination)\n")
            return .success
        } catch where error.kind == .invalidArgument && error.message.contains("already exists") {
            console.err("stripe-webhookd events backup: \(error.message)\n")
            return .rejected
        } catch {
            console.err("stripe-webhookd events backup: \(error)\n")
            return .failure
        }
    }
}

extension String {
    /// The absolute, symlink-resolved form of a path (its directory resolved when the file does not
    /// exist yet), to tell whether two paths name the same file.
    fileprivate func standardizingPathForComparison() throws -> String {
        let url = URL(fileURLWithPath: self)
        return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
    }
}
