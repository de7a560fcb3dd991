import EventStore
import WebhookSupport

/// A `postgres://` store setting whose password may be a reference, as secrets are:
/// `postgres://webhookd:env:WEBHOOKD_DB_PASSWORD@db.internal/webhookd` or `…:file:/run/secrets/db@…`.
/// The reference is taken out of the URL and resolved apart; a literal password stays in the URL;
/// without one, libpq reads `PGPASSWORD` or `~/.pgpass` as usual.
struct PostgreSQLStoreSetting: Sendable {
    /// The URL without a password reference.
    let url: String
    /// The password's reference, when the URL held one.
    let password: ValueReference?

    /// Splits `url` (already recognised as PostgreSQL by `StoreLocation`).
    init(url: String) {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else {
            self.url = url
            password = nil
            return
        }
        let secret = String(url[url.index(after: colon)..<at])
        guard secret.hasPrefix("env:") || secret.hasPrefix("file:") else {
            self.url = url
            password = nil
            return
        }
        self.url = String(url[..<colon]) + String(url[at...])
        password = ValueReference(parsing: secret)
    }

    /// The resolved password, if the URL named a reference; errors name the setting, never a value.
    func resolvedPassword(environment: [String: String]) throws(ConfigurationError) -> String? {
        try password?.resolve(environment: environment, key: "store (password)")
    }

    /// Opens the store this setting names.
    /// - Parameters:
    ///   - environment: where an `env:` password reference is read.
    ///   - options: read-only mode, lease and limits.
    ///   - logger: where outages and migrations are reported.
    ///   - observer: told about every write transaction.
    func open(environment: [String: String], options: PostgreSQLEventStore.Options, logger: Logger, observer: (any EventStoreObserver)? = nil) throws -> PostgreSQLEventStore {
        try PostgreSQLEventStore(url: url, password: try resolvedPassword(environment: environment), logger: logger, options: options, observer: observer)
    }
}
