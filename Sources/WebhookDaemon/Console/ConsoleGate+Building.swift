/// Building the console's gate from the configuration.
extension WebhookApplication {
    /// The gate for `admin.auth`, its token read from the environment or its file now.
    static func consoleGate(_ auth: AdminAuthConfiguration?, environment: [String: String]) throws(ConfigurationError) -> ConsoleGate {
        let token = try auth?.token.map { reference throws(ConfigurationError) in
            try reference.resolve(environment: environment, key: "admin.auth.token")
        }
        if let token, token.count < 16 {
            throw ConfigurationError("admin.auth.token: the token is \(token.count) characters long; use at least 16 random ones (openssl rand -hex 32)")
        }
        return ConsoleGate(auth: auth, token: token)
    }
}
