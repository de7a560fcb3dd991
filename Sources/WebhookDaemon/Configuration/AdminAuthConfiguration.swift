/// `admin.auth`: who may use the admin listener (the console, `/metrics`, the health paths). Required
/// when `admin.host` is not a loopback address.
public struct AdminAuthConfiguration: Sendable, Equatable {
    /// A bearer token (`Authorization: Bearer …`), as an `env:NAME` or `file:PATH` reference.
    public var token: ValueReference?
    /// Console users who sign in with a name and password.
    public var users: [User] = []
    /// Admin paths served without credentials, e.g. `["/healthz", "/readyz"]` for a load balancer's
    /// probe. Default none: every admin path needs credentials.
    public var publicPaths: [String] = []
    /// Origins, besides the one the browser addressed the console by, that may post its forms
    /// (`https://admin.example.com` when a TLS proxy fronts the console). Default none.
    public var allowedOrigins: [String] = []
    /// Whether the session cookie carries `Secure` (set it when the console is reached over HTTPS).
    /// Default false: the console itself speaks plain HTTP, through an SSH tunnel or on loopback.
    public var secureCookies = false
    /// How long a console sign-in lasts, in seconds. Default 43,200 (12 hours).
    public var sessionSeconds = 43_200

    /// One console user.
    public struct User: Sendable, Equatable {
        /// The sign-in name.
        public var name: String
        /// The password hash, `pbkdf2-sha256$ITERATIONS$SALT$HASH` (`stripe-webhookd hash-password`).
        public var passwordHash: String

        /// Creates a user.
        public init(name: String, passwordHash: String) {
            self.name = name
            self.passwordHash = passwordHash
        }
    }

    /// No credentials yet.
    public init() {}
}
