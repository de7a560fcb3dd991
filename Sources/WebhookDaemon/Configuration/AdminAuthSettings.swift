/// The `admin.auth` object of the config file.
struct AdminAuthSettings: Decodable {
    var token: String?
    var users: [AdminUserSetting]?
    var publicPaths: [String]?
    var allowedOrigins: [String]?
    var secureCookies: Bool?
    var sessionSeconds: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case token, users
        case publicPaths = "public_paths", allowedOrigins = "allowed_origins"
        case secureCookies = "secure_cookies", sessionSeconds = "session_seconds"
    }

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
    var name: String
    var passwordHash: String

    enum CodingKeys: String, CodingKey, CaseIterable { case name, passwordHash = "password_hash" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: DaemonConfiguration.keyPath(decoder.codingPath))
        name = try c.decode(String.self, forKey: .name)
        passwordHash = try c.decode(String.self, forKey: .passwordHash)
    }
}
