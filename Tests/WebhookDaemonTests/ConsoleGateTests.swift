import EventStore
import Foundation
import HTTP1
import Testing
@testable import WebhookDaemon

/// Who may use the admin listener and which form posts are genuine: bearer token, sessions, public
/// paths, the Host check without credentials, the Origin check and the CSRF token.
@Suite struct ConsoleGateTests {
    static let token = "0123456789abcdef-console-token"
    static let password = "s3cret pass"

    static func gate(users: Bool = true, publicPaths: [String] = [], allowedOrigins: [String] = []) -> ConsoleGate {
        var auth = AdminAuthConfiguration()
        auth.token = ValueReference(parsing: "env:TOKEN")
        if users { auth.users = [.init(name: "ops", passwordHash: PasswordHash(hashing: password, iterations: 10_000).encoded)] }
        auth.publicPaths = publicPaths
        auth.allowedOrigins = allowedOrigins
        return ConsoleGate(auth: auth, token: token)
    }

    static func request(_ target: String, _ headers: [(String, String)] = [("Host", "127.0.0.1:9090")], method: String = "GET") -> HTTPRequest {
        HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers))
    }

    @Test func withoutAuth_everyoneOnLoopbackIsAnonymous_butAForeignHostIsRefused() throws {
        let gate = ConsoleGate(auth: nil, token: nil)
        #expect(try gate.principal(of: Self.request("/events"), console: true, now: 0).get() == .anonymous)
        #expect(try gate.principal(of: Self.request("/", [("Host", "localhost:8080")]), console: true, now: 0).get() == .anonymous)
        #expect(try gate.principal(of: Self.request("/", [("Host", "[::1]:9090")]), console: true, now: 0).get() == .anonymous)
        // DNS rebinding: a foreign page whose name now points at 127.0.0.1.
        #expect(gate.principal(of: Self.request("/", [("Host", "attacker.example:9090")]), console: true, now: 0) == .failure(.badHost))
        #expect(gate.principal(of: Self.request("/", []), console: true, now: 0) == .failure(.badHost))
    }

    @Test func bearerToken_mustMatchExactly() throws {
        let gate = Self.gate()
        let right = Self.request("/metrics", [("Host", "h"), ("Authorization", "Bearer \(Self.token)")])
        #expect(try gate.principal(of: right, console: false, now: 0).get() == .token)
        for wrong in ["Bearer \(Self.token)x", "Bearer \(Self.token.dropLast())", "bearer \(Self.token)", "Basic b3BzOnB3", "Bearer "] {
            let request = Self.request("/metrics", [("Host", "h"), ("Authorization", wrong)])
            #expect(gate.principal(of: request, console: false, now: 0) == .failure(.unauthorized(signInPage: nil)), "\(wrong)")
        }
    }

    @Test func withoutCredentials_aBrowserIsSentToSignIn_andAScraperGets401() throws {
        let gate = Self.gate()
        #expect(gate.principal(of: Self.request("/events?status=failed"), console: true, now: 0)
            == .failure(.unauthorized(signInPage: "/login?next=%2Fevents%3Fstatus%3Dfailed")))
        #expect(gate.principal(of: Self.request("/metrics"), console: false, now: 0) == .failure(.unauthorized(signInPage: nil)))
        #expect(gate.principal(of: Self.request("/events/evt_1/replay", method: "POST"), console: true, now: 0) == .failure(.unauthorized(signInPage: nil)))
        #expect(try gate.principal(of: Self.request("/login"), console: true, now: 0).get() == .anonymous)
    }

    @Test func publicPaths_areServedWithoutCredentials() throws {
        let gate = Self.gate(publicPaths: ["/healthz"])
        #expect(try gate.principal(of: Self.request("/healthz"), console: false, now: 0).get() == .anonymous)
        #expect(gate.principal(of: Self.request("/readyz"), console: false, now: 0) == .failure(.unauthorized(signInPage: nil)))
    }

    @Test func signIn_withPasswordOrToken_givesASessionCookieThatLapses() throws {
        let gate = Self.gate()
        #expect(gate.signIn(name: "ops", password: "wrong", now: 0) == nil)
        #expect(gate.signIn(name: "nobody", password: Self.password, now: 0) == nil)
        #expect(gate.signIn(name: "", password: "not-the-token", now: 0) == nil)
        #expect(gate.signIn(name: "", password: Self.token, now: 0)?.user == "token")
        let session = try #require(gate.signIn(name: "ops", password: Self.password, now: 1_000))
        let cookie = gate.sessionCookie(session)
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/") && !cookie.contains("Secure"))
        let request = Self.request("/", [("Host", "h"), ("Cookie", "other=1; \(ConsoleGate.cookieName)=\(session.id)")])
        #expect(try gate.principal(of: request, console: true, now: 2_000).get() == .session(session))
        // After session_seconds (default 12 h) the cookie no longer works.
        #expect(gate.principal(of: request, console: true, now: 1_000 + 43_200_000) != .success(.session(session)))
        let forged = Self.request("/", [("Host", "h"), ("Cookie", "\(ConsoleGate.cookieName)=\(String(repeating: "0", count: 64))")])
        #expect(gate.principal(of: forged, console: true, now: 2_000) != .success(.anonymous))
    }

    @Test func formPost_needsItsOwnOriginAndThePrincipalsCSRFToken() throws {
        let gate = Self.gate(allowedOrigins: ["https://admin.example.com"])
        let session = try #require(gate.signIn(name: "ops", password: Self.password, now: 0))
        let other = try #require(gate.signIn(name: "ops", password: Self.password, now: 0))
        let principal = ConsoleGate.Principal.session(session)
        let csrf = gate.csrfToken(for: principal)
        let fields = FormFields("csrf=\(csrf)")
        func post(_ headers: [(String, String)]) -> HTTPRequest { Self.request("/events/evt_1/replay", headers, method: "POST") }

        #expect(gate.checkForm(post([("Host", "127.0.0.1:9090"), ("Origin", "http://127.0.0.1:9090")]), fields: fields, principal: principal) == nil)
        // Through an SSH tunnel on another local port: the origin is the one the browser addressed.
        #expect(gate.checkForm(post([("Host", "localhost:8080"), ("Origin", "http://localhost:8080")]), fields: fields, principal: principal) == nil)
        #expect(gate.checkForm(post([("Host", "127.0.0.1:9090"), ("Origin", "https://admin.example.com")]), fields: fields, principal: principal) == nil)
        #expect(gate.checkForm(post([("Host", "127.0.0.1:9090"), ("Origin", "http://evil.example")]), fields: fields, principal: principal) == .badOrigin)
        #expect(gate.checkForm(post([("Host", "127.0.0.1:9090"), ("Origin", "null")]), fields: fields, principal: principal) == .badOrigin)
        #expect(gate.checkForm(post([("Host", "127.0.0.1:9090")]), fields: fields, principal: principal) == .badOrigin)
        #expect(gate.checkForm(post([("Host", "127.0.0.1:9090"), ("Origin", "http://127.0.0.1:9091")]), fields: fields, principal: principal) == .badOrigin)
        let origin: [(String, String)] = [("Host", "127.0.0.1:9090"), ("Origin", "http://127.0.0.1:9090")]
        #expect(gate.checkForm(post(origin), fields: FormFields(""), principal: principal) == .badCSRFToken)
        // The token with its last character changed (to one it is not, whatever it was).
        let altered = String(csrf.dropLast()) + (csrf.last == "0" ? "1" : "0")
        #expect(gate.checkForm(post(origin), fields: FormFields("csrf=\(altered)"), principal: principal) == .badCSRFToken)
        // Another session's token, or the anonymous one, does not do.
        #expect(gate.checkForm(post(origin), fields: FormFields("csrf=\(gate.csrfToken(for: .session(other)))"), principal: principal) == .badCSRFToken)
        #expect(gate.checkForm(post(origin), fields: FormFields("csrf=\(gate.csrfToken(for: .anonymous))"), principal: principal) == .badCSRFToken)
        // Another daemon process (a restart) has another key.
        #expect(Self.gate().csrfToken(for: .token) != gate.csrfToken(for: .token))
    }

    @Test func signInRedirect_staysOnTheConsole() throws {
        #expect(ConsoleResponder.safeNext("/events?type=invoice.*") == "/events?type=invoice.*")
        for hostile in ["//evil.example/", "https://evil.example", "/\\evil.example", "javascript:alert(1)", nil, "/ok\r\nSet-Cookie: x=1"] {
            #expect(ConsoleResponder.safeNext(hostile) == "/", "\(hostile ?? "nil")")
        }
    }

    @Test func passwordHash_roundTripsAndRefusesWeakOrMalformedHashes() throws {
        let hash = PasswordHash(hashing: "hunter2", iterations: 10_000)
        let parsed = try #require(PasswordHash(parsing: hash.encoded))
        #expect(parsed == hash && parsed.matches("hunter2") && !parsed.matches("hunter3") && !parsed.matches(""))
        #expect(hash.encoded.hasPrefix("pbkdf2-sha256$10000$"))
        #expect(PasswordHash(hashing: "hunter2", iterations: 10_000).encoded != hash.encoded, "each hash has its own salt")
        // A hash made by another implementation (Python's hashlib.pbkdf2_hmac("sha256", b"Password", b"NaClNaCl", 10000, 32)).
        let foreign = try #require(PasswordHash(parsing: "pbkdf2-sha256$10000$4e61436c4e61436c$dc3d315f5be650dfe6db2a21360b2a39e7d6483b706dd450f5df3b8d5cfd0269"))
        #expect(foreign.matches("Password") && !foreign.matches("password"))
        for malformed in ["", "pbkdf2-sha256$1000$73616c7473616c74$" + String(repeating: "00", count: 32), "bcrypt$10$x$y",
                          "pbkdf2-sha256$600000$zz$" + String(repeating: "00", count: 32), "pbkdf2-sha256$600000$73616c7473616c74$00"] {
            #expect(PasswordHash(parsing: malformed) == nil, "\(malformed)")
        }
    }

    @Test func formFields_decodePercentAndPlus() throws {
        let fields = FormFields("type=invoice.%2A&name=a+b&empty=&odd=%zz&%E2%82%AC=%E2%82%AC")
        #expect(fields["type"] == "invoice.*" && fields["name"] == "a b" && fields["empty"] == nil && fields["odd"] == "%zz" && fields["€"] == "€")
        #expect(FormFields.query([("type", "invoice.*"), ("x", nil), ("id", "a&b=c")]) == "?type=invoice.%2A&id=a%26b%3Dc")
    }
}
