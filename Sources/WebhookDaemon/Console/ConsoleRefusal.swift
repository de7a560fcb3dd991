import EventStore
import HTTP1

/// Why the admin listener refused a request: the console layer's one error type, and the one place
/// where its errors become HTTP statuses.
enum ConsoleRefusal: Error, Equatable {
    /// No credentials, or wrong ones (401). `signInPage` sends a browser to the sign-in page instead.
    case unauthorized(signInPage: String?)
    /// A form post whose `Origin` is missing or not the console's own (403).
    case badOrigin
    /// A form post without the session's CSRF token (403).
    case badCSRFToken
    /// A `Host` the console does not answer to without credentials: DNS rebinding (421).
    case badHost
    /// No such page or event (404).
    case notFound
    /// The page takes other methods (405).
    case methodNotAllowed(allowed: String)
    /// A filter or form value that does not parse (400).
    case badRequest(String)
    /// The store could not answer (503).
    case storeUnavailable(EventStoreError)
    /// Too many failed sign-ins from this address (429).
    case tooManySignIns

    /// The stable machine-readable reason.
    var reason: String {
        switch self {
        case .unauthorized: "unauthorized"
        case .badOrigin: "origin_not_allowed"
        case .badCSRFToken: "csrf_token_invalid"
        case .badHost: "host_not_allowed"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .badRequest: "bad_request"
        case .storeUnavailable: "store_unavailable"
        case .tooManySignIns: "too_many_sign_ins"
        }
    }

    /// The response: a short page with the same security headers as every console page.
    var response: HTTPResponse {
        let status: HTTPStatus
        var headers = HTTPHeaders()
        var detail = ""
        switch self {
        case .unauthorized(let signInPage):
            if let signInPage {
                var response = HTTPResponse(status: HTTPStatus(303, phrase: "See Other"))
                response.headers = ConsolePage.securityHeaders
                response.headers.add(name: "Location", value: signInPage)
                return response
            }
            status = .unauthorized
            headers.add(name: "WWW-Authenticate", value: #"Bearer realm="stripe-webhookd admin""#)
            detail = "Credentials needed: Authorization: Bearer TOKEN, or sign in at /login."
        case .badOrigin:
            status = .forbidden
            detail = "This form was not posted from the console's own page (Origin header missing or foreign)."
        case .badCSRFToken:
            status = .forbidden
            detail = "The form's CSRF token is missing or wrong; reload the page and try again."
        case .badHost:
            status = HTTPStatus(421, phrase: "Misdirected Request")
            detail = "The console answers only to its own address (127.0.0.1, localhost) unless admin.auth is set."
        case .notFound:
            status = .notFound
            detail = "No such page or event."
        case .methodNotAllowed(let allowed):
            status = .methodNotAllowed
            headers.add(name: "Allow", value: allowed)
            detail = "Use \(allowed)."
        case .badRequest(let message):
            status = .badRequest
            detail = message
        case .tooManySignIns:
            status = .tooManyRequests
            headers.add(name: "Retry-After", value: String(SignInThrottle.windowMillis / 1000))
            detail = "Too many failed sign-ins from this address; try again in a few minutes."
        case .storeUnavailable(let error):
            status = .serviceUnavailable
            headers.add(name: "Retry-After", value: "5")
            detail = "The event store could not answer: \(error.message)"
        }
        var response = ConsolePage.response(ConsolePage.document(title: "\(status.code) \(reason)", body: [
            .element("main", [], [.element("h1", text: "\(status.code) \(status.phrase)"), .element("p", [("class", "refusal")], text: detail),
                                  .element("p", [], [.element("a", [("href", "/")], text: "Back to the console")])]),
        ]), status: status)
        for header in headers { response.headers.add(name: header.name, value: header.value) }
        return response
    }
}
