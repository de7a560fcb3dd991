/// The `admin.auth` object of the config file.
struct AdminAuthSettings: Decodable {
    /// `token`: an `env:`/`file:` reference.
    var token: String?
    /// `users`.
    var users: [AdminUserSetting]?
    /// `public_paths`.
    var publicPaths: [String]?
    /// `allowed_origins`.
    var allowedOrigins: [String]?
    /// `secure_cookies`.
    var secureCookies: Bool?
    /// `session_seconds`.
    var sessionSeconds: Int?

    /// The keys, as the file spells them.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case token, users
        case publicPaths = "public_paths", allowedOrigins = "allowed_origins"
        case secureCookies = "secure_cookies", sessionSeconds = "session_seconds"
    }

    /// Decodes leniently: each bad value is reported with its path, the rest still read.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "admin.auth")
        token = try c.lenient(String.self, forKey: .token, in: decoder)
        users = try c.lenientList(AdminUserSetting.self, forKey: .users, in: decoder)
        publicPaths = try c.lenient([String].self, forKey: .publicPaths, in: decoder)
        allowedOrigins = try c.lenient([String].self, forKey: .allowedOrigins, in: decoder)
        secureCookies = try c.lenient(Bool.self, forKey: .secureCookies, in: decoder)
        sessionSeconds = try c.lenient(Int.self, forKey: .sessionSeconds, in: decoder)
    }

    /// The settings on top of the defaults.
    var configuration: AdminAuthConfiguration {
        var auth = AdminAuthConfiguration()
        auth.token = token.map(ValueReference.init(parsing:))
        auth.users = (users ?? []).map { AdminAuthConfiguration.User(name: $0.name, passwordHash: $0.passwordHash) }
        if let publicPaths { auth.publicPaths = publicPaths }
        if let allowedOrigins { auth.allowedOrigins = allowedOrigins }
        if let secureCookies { auth.secureCookies = secureCookies }
        if let sessionSeconds { auth.sessionSeconds = sessionSeconds }
        return auth
    }
}

/// One entry of `admin.auth.users`: `{"name": "…", "password_hash": "pbkdf2-sha256$…"}`.
struct AdminUserSetting: Decodable {
    /// `name`.
    var name: String
    /// `password_hash`.
    var passwordHash: String

    /// The keys, as the file spells them.
    enum CodingKeys: String, CodingKey, CaseIterable { case name, passwordHash = "password_hash" }

    /// Decodes one user; both keys are required.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: DaemonConfiguration.keyPath(decoder.codingPath))
        name = try c.decode(String.self, forKey: .name)
        passwordHash = try c.decode(String.self, forKey: .passwordHash)
    }
}
