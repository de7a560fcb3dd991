import EventStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension DaemonConfiguration {
    /// Checks what `serve` will need from this machine, recording every problem in `issues`: the store's
    /// directory exists and this user may write there, every secret and referenced value can be read
    /// (`env:` set, `file:` readable; values are read, never shown), every handler's program is an
    /// executable file and its working directory a directory. `check-config` and `serve` both run it,
    /// so a start fails on these before binding any port.
    func checkEnvironment(_ environment: [String: String], into issues: ConfigurationIssues) {
        checkStore(environment: environment, into: issues)
        for (index, endpoint) in effectiveEndpoints.enumerated() {
            let place = endpoints.isEmpty ? "secrets" : "endpoints[\(index)].secrets"
            for (position, reference) in endpoint.secrets.enumerated() {
                do { _ = try reference.resolve(environment: environment) } catch { issues.error("\(place)[\(position)]: \(error.message)") }
            }
        }
        for (index, handler) in handlers.enumerated() {
            let place = "handlers[\(index)]"
            switch handler.action {
            case .command(let command):
                if let directory = command.workingDirectory, directory.hasPrefix("/"), !Self.isDirectory(directory) {
                    issues.error("\(place).working_directory: \(directory) is not a directory (does it exist?)")
                }
                if let program = command.argv.first, !program.isEmpty {
                    issues.check { () throws(ConfigurationError) in
                        _ = try DaemonRuntime.executable(program, workingDirectory: command.workingDirectory, environment: environment, key: "\(place).command[0]")
                    }
                }
                for name in command.environment.keys.sorted() {
                    guard let reference = command.environment[name] else { continue }
                    issues.check { () throws(ConfigurationError) in _ = try reference.resolve(environment: environment, key: "\(place).environment.\(name)") }
                }
            case .forward(let forward):
                for name in forward.headers.keys.sorted() {
                    guard let reference = forward.headers[name] else { continue }
                    issues.check { () throws(ConfigurationError) in _ = try reference.resolve(environment: environment, key: "\(place).forward.headers.\(name)") }
                }
                if let reference = forward.signingSecret {
                    do { _ = try reference.resolve(environment: environment) } catch {
                        issues.error("\(place).forward.signing_secret: \(error.message)")
                    }
                }
            }
        }
    }

    /// The store setting parses; a PostgreSQL store's password reference resolves; a SQLite store's directory exists and is writable (SQLite creates the
    /// database and its `-wal` and `-shm` files there), and an existing database file is writable.
    private func checkStore(environment: [String: String], into issues: ConfigurationIssues) {
        let location: StoreLocation
        do {
            location = try StoreLocation(parsing: store)
        } catch {
            issues.error("store: \(error.message)")
            return
        }
        if case .postgres(let url) = location {
            // The password reference resolves (its value never appears in the issue); reaching the
            // server is left to the daemon's start.
            do throws(ConfigurationError) { _ = try PostgreSQLStoreSetting(url: url).resolvedPassword(environment: environment) } catch {
                issues.error(error.message)
            }
            return
        }
        guard case .sqlite(let path) = location else { return }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let directory = (absolute as NSString).deletingLastPathComponent
        guard Self.isDirectory(directory) else {
            issues.error("store: the directory \(directory) does not exist; create it (writable by the daemon's user) or choose another sqlite:PATH")
            return
        }
        if access(directory, W_OK) != 0 {
            issues.error("store: the directory \(directory) is not writable by this user (uid \(getuid())); SQLite keeps its journal files beside the database")
        } else if FileManager.default.fileExists(atPath: absolute), access(absolute, R_OK | W_OK) != 0 {
            issues.error("store: \(absolute) is not readable and writable by this user (uid \(getuid()))")
        }
    }

    /// Whether `path` names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Warnings for handler patterns that name no event type Stripe has: an exact type not in
    /// `StripeEventTypes` (with the closest real one, "did you mean invoice.paid?"), or a `prefix.*`
    /// whose prefix is no Stripe resource. The daemon still runs such a handler; it would just never match.
    func eventTypeWarnings() -> [String] {
        var warnings: [String] = []
        for (index, handler) in handlers.enumerated() {
            for (position, pattern) in handler.events.enumerated() where pattern != "*" {
                let place = "handlers[\(index)].events[\(position)]"
                if pattern.hasSuffix(".*") {
                    let resource = String(pattern.dropLast(2))
                    guard !StripeEventTypes.resources.contains(resource) else { continue }
                    let hint = StripeEventTypes.closest(to: resource, among: StripeEventTypes.resources).map { "; did you mean \($0).*?" } ?? ""
                    warnings.append("\(place): \"\(pattern)\" matches no Stripe event type\(hint)")
                } else if !pattern.contains("*"), !StripeEventTypes.known.contains(pattern) {
                    let hint = StripeEventTypes.closest(to: pattern).map { "; did you mean \($0)?" } ?? ""
                    warnings.append("\(place): \"\(pattern)\" is not a Stripe event type\(hint) (the handler would never run for it)")
                }
            }
        }
        return warnings
    }
}
