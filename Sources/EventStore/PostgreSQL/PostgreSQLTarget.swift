/// Where the PostgreSQL store connects and how each connection is set up: libpq keyword/value pairs
/// with the store URL as `dbname` (libpq expands it, then applies `PG*` environment variables for
/// what it leaves out), the password apart when it came from a reference, and the session settings.
struct PostgreSQLTarget: Sendable {
    /// libpq's keyword/value pairs, in order (later ones override earlier ones).
    let parameters: [(String, String)]
    /// The server as messages name it: the URL without its password.
    let label: String
    /// Statements run on every new connection.
    let setup: String

    /// A target for `url` (`postgres://` or `postgresql://`), with `password` (resolved from an
    /// `env:`/`file:` reference) overriding the URL's, and the options' timeouts.
    /// - Parameters:
    ///   - url: the store URL.
    ///   - password: a password to use instead of the URL's, if any.
    ///   - options: connect and statement timeouts.
    init(url: String, password: String?, options: PostgreSQLEventStore.Options) {
        // Defaults first, the URL after them (its own parameters win), the resolved password last.
        var parameters: [(String, String)] = [
            ("connect_timeout", String(max(1, options.connectTimeout.milliseconds / 1000))),
            ("application_name", "stripe-webhookd"),
            ("keepalives", "1"),
            ("keepalives_idle", "10"),
            ("keepalives_interval", "5"),
            ("keepalives_count", "3"),
            ("dbname", url),
        ]
        if let password { parameters.append(("password", password)) }
        self.parameters = parameters
        label = StoreLocation.redacted(url)
        // `synchronous_commit = on` whatever the server's default: a 200 means the commit reached the
        // server's disk (and its synchronous standbys, when the operator configured them).
        setup = """
            SET synchronous_commit = on; SET statement_timeout = \(max(1, options.statementTimeout.milliseconds)); \
            SET lock_timeout = \(max(1, options.statementTimeout.milliseconds)); SET client_min_messages = warning
            """
    }
}
