/// A web origin (RFC 6454 §4): scheme, host and port, compared as the browser sends it in `Origin`.
struct ConsoleOrigin: Sendable, Hashable {
    /// `http` or `https`.
    let scheme: String
    /// The host and any port as written, lowercased: `127.0.0.1:9090`, `admin.example.com`.
    let authority: String

    /// Parses `scheme://host[:port]` with nothing after it (a trailing `/` is tolerated); `nil` otherwise.
    init?(_ text: String) {
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("http://") {
            scheme = "http"
        } else if lower.hasPrefix("https://") {
            scheme = "https"
        } else {
            return nil
        }
        var authority = String(lower.dropFirst(scheme.count + 3))
        if authority.hasSuffix("/") { authority.removeLast() }
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains("?"), !authority.contains("#") else {
            return nil
        }
        self.scheme = scheme
        self.authority = authority
    }

    /// The origin's text form, `scheme://authority`.
    var text: String { "\(scheme)://\(authority)" }

    /// The host of an authority without its port and IPv6 brackets: `[::1]:9090` → `::1`.
    static func hostName(ofAuthority authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if let colon = authority.lastIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }
}
