import Foundation
import HTTP1
import StripeWebhooks

/// The admin listener's decisions about who is asking and whether a form post is genuine: bearer
/// token, session cookie, `public_paths`, the `Host` check without credentials, and for every POST the
/// `Origin` check and the CSRF token. Pure decisions over a request; the responder acts on them.
final class ConsoleGate: Sendable {
    /// Who a request comes from.
    enum Principal: Sendable, Equatable {
        /// Nobody signed in: no `admin.auth`, a public path, or the sign-in page.
        case anonymous
        /// The bearer token.
        case token
        /// A signed-in browser.
        case session(ConsoleSessions.Session)

        /// The name shown on pages and in logs.
        var name: String {
            switch self {
            case .anonymous: "anonymous"
            case .token: "token"
            case .session(let session): session.user
            }
        }
    }

    /// The session cookie's name.
    static let cookieName = "webhookd_session"
    /// Paths anyone may fetch even with `admin.auth` set: the sign-in page, the stylesheet and the
    /// script (static text, which the sign-in page loads too).
    static let alwaysPublicPaths: Set<String> = ["/login", "/console.css", "/console.js"]

    /// The credentials; `nil` when `admin.auth` is not set.
    let auth: AdminAuthConfiguration?
    /// The bearer token's value, resolved from its reference.
    private let token: [UInt8]?
    /// Users by name with their parsed hashes.
    private let users: [String: PasswordHash]
    /// Signed-in browsers.
    let sessions: ConsoleSessions
    /// The key CSRF tokens are derived with: random per process.
    private let csrfKey: [UInt8]
    /// Origins allowed besides the page's own.
    private let allowedOrigins: Set<ConsoleOrigin>

    /// Builds the gate from `admin.auth` with its token already resolved.
    init(auth: AdminAuthConfiguration?, token: String?) {
        self.auth = auth
        self.token = token.map { Array($0.utf8) }
        var users: [String: PasswordHash] = [:]
        for user in auth?.users ?? [] { users[user.name] = PasswordHash(parsing: user.passwordHash) }
        self.users = users
        sessions = ConsoleSessions(lifetimeSeconds: auth?.sessionSeconds ?? 43_200)
        csrfKey = Array(ConsoleSessions.randomHex(bytes: 32).utf8)
        allowedOrigins = Set((auth?.allowedOrigins ?? []).compactMap(ConsoleOrigin.init))
    }

    /// Whether a browser can sign in (users or a token configured).
    var hasSignIn: Bool { auth != nil }

    /// Who sent `request`, or why it is refused. `console` says whether the path is a console page
    /// (a browser without a session is sent to the sign-in page) rather than `/metrics` or a probe.
    func principal(of request: HTTPRequest, console: Bool, now: Int64) -> Result<Principal, ConsoleRefusal> {
        guard let auth else {
            // Without credentials the listener is loopback-only (validation insists), and the Host
            // must say so too: a page elsewhere that rebinds its name to 127.0.0.1 is refused.
            guard let host = request.headers["Host"], ConsoleGate.isLoopbackName(ConsoleOrigin.hostName(ofAuthority: host.lowercased())) else {
                return .failure(.badHost)
            }
            return .success(.anonymous)
        }
        if let authorization = request.headers["Authorization"] {
            guard let token, authorization.hasPrefix("Bearer "),
                  HMACSHA256.constantTimeEquals(Array(authorization.utf8.dropFirst(7)), token) else {
                return .failure(.unauthorized(signInPage: nil))
            }
            return .success(.token)
        }
        if let id = Self.cookie(Self.cookieName, in: request), let session = sessions.session(id: id, now: now) {
            return .success(.session(session))
        }
        if Self.alwaysPublicPaths.contains(request.path) || auth.publicPaths.contains(request.path) {
            return .success(.anonymous)
        }
        if console, request.method == "GET" {
            return .failure(.unauthorized(signInPage: "/login" + FormFields.query([("next", request.target)])))
        }
        return .failure(.unauthorized(signInPage: nil))
    }

    /// The CSRF token forms carry for `principal`: an HMAC of the session id (or of the principal's
    /// kind) under a per-process key, so it cannot be guessed and dies with the session.
    func csrfToken(for principal: Principal) -> String {
        let subject: String
        switch principal {
        case .anonymous: subject = "anonymous"
        case .token: subject = "token"
        case .session(let session): subject = "session:" + session.id
        }
        return HexEncoding.encode(HMACSHA256.authenticationCode(key: csrfKey, message: Array(subject.utf8)))
    }

    /// Checks a form post: `Origin` must be the origin the browser addressed (scheme and the request's
    /// `Host`) or a configured one, and the form's `csrf` field the principal's token.
    func checkForm(_ request: HTTPRequest, fields: FormFields, principal: Principal) -> ConsoleRefusal? {
        guard let originText = request.headers["Origin"], let origin = ConsoleOrigin(originText) else { return .badOrigin }
        let host = (request.headers["Host"] ?? "").lowercased()
        let own = origin.authority == host && !host.isEmpty
        guard own || allowedOrigins.contains(origin) else { return .badOrigin }
        guard let sent = fields["csrf"],
              HMACSHA256.constantTimeEquals(Array(sent.utf8), Array(csrfToken(for: principal).utf8)) else {
            return .badCSRFToken
        }
        return nil
    }

    /// Signs in with a name and password, or with the token as the password and no name.
    func signIn(name: String, password: String, now: Int64) -> ConsoleSessions.Session? {
        if name.isEmpty {
            guard let token, !password.isEmpty, HMACSHA256.constantTimeEquals(Array(password.utf8), token) else { return nil }
            return sessions.create(user: "token", now: now)
        }
        guard let hash = users[name] else {
            // As slow as a real check, so that timing does not tell which names exist.
            _ = Self.decoy.matches(password)
            return nil
        }
        guard hash.matches(password) else { return nil }
        return sessions.create(user: name, now: now)
    }

    /// A hash compared against for unknown names.
    private static let decoy = PasswordHash(hashing: "decoy")

    /// The `Set-Cookie` value starting `session`.
    func sessionCookie(_ session: ConsoleSessions.Session) -> String {
        "\(Self.cookieName)=\(session.id); HttpOnly; SameSite=Strict; Path=/; Max-Age=\(auth?.sessionSeconds ?? 0)" + (auth?.secureCookies == true ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes the session cookie.
    var clearedCookie: String {
        "\(Self.cookieName)=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" + (auth?.secureCookies == true ? "; Secure" : "")
    }

    /// The value of cookie `name` in the request's `Cookie` headers (RFC 6265 §5.4).
    static func cookie(_ name: String, in request: HTTPRequest) -> String? {
        for header in request.headers.values(for: "Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// Whether a host name is this machine's loopback.
    static func isLoopbackName(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
