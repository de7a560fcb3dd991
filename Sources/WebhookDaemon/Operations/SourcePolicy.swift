import HTTP1

/// Who sent a request, as far as the configuration lets the daemon believe, and whether that client
/// may post webhooks: `trusted_proxies` and `allowed_source_ips` parsed once per (re)load.
struct SourcePolicy: Sendable {
    /// Whose `X-Forwarded-For` is believed.
    let proxies: TrustedProxies
    /// Blocks allowed to post webhooks; empty allows every client.
    let allowed: [IPNetwork]

    /// The client and the verdict for one request.
    struct Verdict {
        /// The client's address as logged in `client.ip`.
        let clientIP: String
        /// Whether `allowed_source_ips` lets it post.
        let isAllowed: Bool
    }

    /// Parses the configuration's lists (already validated).
    init(_ configuration: DaemonConfiguration) throws(ConfigurationError) {
        proxies = TrustedProxies(try DaemonConfiguration.networks(configuration.trustedProxies, key: "trusted_proxies"))
        allowed = try DaemonConfiguration.networks(configuration.allowedSourceIPs, key: "allowed_source_ips")
    }

    /// No proxies and no allow-list.
    init() {
        proxies = TrustedProxies([])
        allowed = []
    }

    /// The client behind `request` and whether it may post. Without proxies or an allow-list this is
    /// the peer, unparsed (the common case costs nothing).
    func judge(_ request: HTTPRequest, context: HTTPRequestContext) -> Verdict {
        if proxies.networks.isEmpty, allowed.isEmpty { return Verdict(clientIP: String(context.remoteIP), isAllowed: true) }
        guard let peer = IPAddress(context.remoteIP) else {
            return Verdict(clientIP: String(context.remoteIP), isAllowed: allowed.isEmpty)
        }
        let client = proxies.clientAddress(peer: peer, forwardedFor: request.headers.values(for: "X-Forwarded-For"))
        return Verdict(clientIP: client.description, isAllowed: allowed.isEmpty || allowed.contains { $0.contains(client) })
    }
}
