/// Checks of the admin listener's exposure and credentials.
extension DaemonConfiguration {
    /// Whether `host` is a loopback address or name, reachable only from this machine.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// An admin listener on a non-loopback address needs `admin.auth`; the credentials must be usable.
    func validateAdmin(into issues: ConfigurationIssues) {
        if admin.port != nil, !Self.isLoopback(admin.host), admin.auth == nil {
            issues.error("admin.host: \(admin.host) is reachable from other machines, and the admin listener serves the events console "
                + "(payloads, replays): set admin.auth (a token and/or users; see README Console) or keep admin.host 127.0.0.1 "
                + "and reach it through an SSH tunnel")
        }
        guard let auth = admin.auth else { return }
        if admin.port == nil {
            issues.warn("admin.auth is set but admin.port is not: there is no admin listener (and no console); /healthz, /readyz and /metrics "
                + "stay on the webhook listener without credentials")
        }
        if auth.token == nil, auth.users.isEmpty {
            issues.error("admin.auth: needs a token (env:NAME or file:PATH) or users, or both")
        }
        if let token = auth.token, case .literal = token.source {
            issues.error("admin.auth.token: give it as env:NAME or file:PATH, not written in the config file")
        }
        for (index, user) in auth.users.enumerated() {
            if user.name.isEmpty { issues.error("admin.auth.users[\(index)].name: must not be empty") }
            if PasswordHash(parsing: user.passwordHash) == nil {
                issues.error("admin.auth.users[\(index)].password_hash: expected pbkdf2-sha256$ITERATIONS$SALT$HASH with at least "
                    + "\(PasswordHash.minimumIterations) iterations; make one with `stripe-webhookd hash-password`")
            }
        }
        if Set(auth.users.map(\.name)).count != auth.users.count { issues.error("admin.auth.users: names must be unique") }
        for (index, path) in auth.publicPaths.enumerated() where !path.hasPrefix("/") {
            issues.error("admin.auth.public_paths[\(index)]: \"\(path)\" must start with /")
        }
        for (index, origin) in auth.allowedOrigins.enumerated() where ConsoleOrigin(origin) == nil {
            issues.error("admin.auth.allowed_origins[\(index)]: \"\(origin)\" is not an origin like https://admin.example.com")
        }
        if auth.sessionSeconds <= 0 { issues.error("admin.auth.session_seconds: must be a positive number") }
    }
}
