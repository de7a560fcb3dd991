import Foundation
import HTTP1

/// What every console page shares: the document around a page's body, the navigation, the security
/// headers and the formatting of times and durations.
enum ConsolePage {
    /// The policy every console response carries: nothing loads but the console's own stylesheet and
    /// script; forms post only to the console; no page may be framed.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'none'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Headers of every console response: no caching (event pages hold payloads), no framing, no
    /// sniffing, no referrer leaking event ids to other sites. `same-origin` rather than `no-referrer`:
    /// under `no-referrer` browsers send `Origin: null` with a form post (Fetch §3.1, "append a request
    /// Origin header"), and the console's own forms would fail the Origin check.
    static var securityHeaders: HTTPHeaders {
        [
            "Content-Security-Policy": contentSecurityPolicy, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cache-Control": "no-store", "Cross-Origin-Opener-Policy": "same-origin",
        ]
    }

    /// A page as an HTML response with the security headers.
    static func response(_ page: HTML, status: HTTPStatus = .ok) -> HTTPResponse {
        var headers = securityHeaders
        headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array(page.markup.utf8))
    }

    /// A `303 See Other` to `location` (after a form post).
    static func redirect(to location: String, setCookie: String? = nil) -> HTTPResponse {
        var response = HTTPResponse(status: HTTPStatus(303, phrase: "See Other"), headers: securityHeaders)
        response.headers.add(name: "Location", value: location)
        if let setCookie { response.headers.add(name: "Set-Cookie", value: setCookie) }
        return response
    }

    /// The whole document: head with the stylesheet and script, then `body`.
    static func document(title: String, body: [HTML], refresh: Bool = false) -> HTML {
        .join([
            .literal("<!DOCTYPE html>"),
            .element("html", [("lang", "en")], [
                .element("head", [], [
                    .element("meta", [("charset", "utf-8")]),
                    .element("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                    .element("title", text: title + " · stripe-webhookd"),
                    .element("link", [("rel", "stylesheet"), ("href", "/console.css")]),
                    .element("script", [("src", "/console.js"), ("defer", "")]),
                ]),
                .element("body", refresh ? [("data-refresh", "30")] : [], body),
            ]),
        ])
    }

    /// The navigation bar; `principal` names who is signed in, with a sign-out form for sessions.
    static func navigation(current: String, principal: ConsoleGate.Principal, csrf: String) -> HTML {
        let links: [(StaticString, String, String)] = [("/", "Overview", "/"), ("/events", "Events", "/events"), ("/events?status=failed", "Dead letters", "dead")]
        var items: [HTML] = [.element("span", [("class", "brand")], text: "stripe-webhookd")]
        for (href, label, key) in links {
            items.append(.element("a", [("href", href.description)] + (key == current ? [("class", "current")] : []), text: label))
        }
        if case .session = principal {
            items.append(.element("form", [("method", "post"), ("action", "/logout"), ("class", "signout")], [
                .element("input", [("type", "hidden"), ("name", "csrf"), ("value", csrf)]),
                .element("button", [("type", "submit")], text: "Sign out \(principal.name)"),
            ]))
        }
        return .element("nav", [], items)
    }

    /// A Unix-ms time as `2026-12-06 00:05:07Z` (UTC).
    static func time(_ millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// A duration in ms as `840 ms`, `3.2 s`, `5 min`, `2.5 h`.
    static func duration(_ millis: Int64) -> String {
        if millis < 1000 { return "\(millis) ms" }
        if millis < 60_000 { return "\(millis / 1000).\(millis % 1000 / 100) s" }
        if millis < 3_600_000 { return "\(millis / 60_000) min" }
        return "\(millis / 3_600_000).\(millis % 3_600_000 / 360_000) h"
    }

    /// A status as a coloured label.
    static func badge(_ status: String) -> HTML {
        .element("span", [("class", "badge \(status)")], text: status)
    }

    /// A hidden CSRF field for a form.
    static func csrfField(_ token: String) -> HTML {
        .element("input", [("type", "hidden"), ("name", "csrf"), ("value", token)])
    }
}
