import Foundation
import HTTP1
import WebhookSupport

/// Everything the daemon can be told: by the JSON config file, the environment and flags, in that
/// order of precedence (a flag beats the environment, which beats the file, which beats the default).
public struct DaemonConfiguration: Sendable, Equatable {
    /// Address to listen on. Default `127.0.0.1`: behind a reverse proxy on the same host.
    public var host = "127.0.0.1"
    /// TCP port. Default 4242 (the port `stripe listen --forward-to` examples use); 0 picks a free one.
    public var port = 4242
    /// Path Stripe posts to. Default `/webhook`.
    public var path = "/webhook"
    /// Signing secrets (`whsec_…`); an event is accepted when any of them verifies it.
    public var secrets: [SecretReference] = []
    /// Accepted clock difference between the signature's `t` and now, in seconds. Default 300 (Stripe's).
    public var toleranceSeconds: Int64 = 300
    /// Turns the timestamp check off (replay protection gone); logged loudly at start-up.
    public var disableTimestampCheck = false
    /// Minimum log level. Default `info`.
    public var logLevel: Logger.Level = .info
    /// Log line format; `nil` picks text on a terminal, JSON otherwise.
    public var logFormat: LogSink.Format?
    /// Where accepted events are stored: `sqlite:PATH` (default `sqlite:stripe-webhookd.sqlite`) or `memory`.
    public var store = "sqlite:stripe-webhookd.sqlite"
    /// Event-loop threads serving HTTP. Default: one per core.
    public var eventLoops = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Worker threads running handlers. Default 4.
    public var workers = 4
    /// Seconds a claim on an event lasts in a PostgreSQL store shared by several daemons, renewed every
    /// third of it while handlers run: after an instance dies, others take its events over within it.
    /// Default 30.
    public var claimLeaseSeconds = 30
    /// Seconds a stop on SIGTERM or SIGINT may take: requests in flight and the handlers running now
    /// finish within it (the shipped unit's TimeoutStopSec stays above it). Default 10.
    public var shutdownGraceSeconds = 10
    /// HTTP limits.
    public var limits = Limits()
    /// Handler retry policy.
    public var retry = Retry()
    /// Webhook endpoints, each with its own path, secrets and tolerance. Empty: one endpoint made of
    /// `path`, `secrets` and `tolerance_seconds`.
    public var endpoints: [EndpointConfiguration] = []
    /// Operator handlers: commands and forwards run for matching events from the durable queue.
    public var handlers: [HandlerConfiguration] = []
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    public var admin = Admin()
    /// Proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed, right-most untrusted
    /// hop first. Default none: the client is the TCP peer.
    public var trustedProxies: [String] = []
    /// When not empty, only clients in these CIDR blocks may post webhooks (403 otherwise), judged on
    /// the address `trusted_proxies` gives. Default empty: any client (the signature is the guard).
    public var allowedSourceIPs: [String] = []
    /// What `/readyz` demands.
    public var readiness = Readiness()
    /// Stripe's API: catch-up from the Events API and the endpoint watchdog (off without `stripe.api_key`).
    public var stripe = StripeConfiguration()

    /// The admin listener. Without a port, the admin paths are served on the main listener (keep them
    /// off the public proxy: the shipped nginx site passes only `/webhook`).
    public struct Admin: Sendable, Equatable {
        /// Address of the admin listener. Default `127.0.0.1`.
        public var host = "127.0.0.1"
        /// Port of the admin listener; `nil` (default) serves the admin paths on the main listener.
        public var port: Int?
        /// Credentials for the admin listener; `nil` (default) lets anyone who reaches it in. Required
        /// when `host` is not a loopback address.
        public var auth: AdminAuthConfiguration?
    }

    /// Readiness thresholds.
    public struct Readiness: Sendable, Equatable {
        /// Not ready when the oldest event still waiting for its handlers was received longer ago
        /// than this, in seconds (handlers stalled or failing). Default 300.
        public var maxPendingAgeSeconds = 300
        /// Not ready when the probe write does not commit, or a fresh store summary cannot be read,
        /// within this many seconds; `/readyz` answers within it whatever the disk does. Default 2.
        public var storeCheckTimeoutSeconds = 2.0
    }

    /// HTTP limits, each enforced by the request decoder or the connection's deadlines.
    public struct Limits: Sendable, Equatable {
        /// Longest request line, in bytes. Default 8 KiB.
        public var maxRequestLineBytes = 8 * 1024
        /// Largest header section, in bytes. Default 32 KiB.
        public var maxHeaderBytes = 32 * 1024
        /// Most header fields in one request. Default 100.
        public var maxHeaderCount = 100
        /// Largest request body, in bytes. Default 1 MiB; larger gets 413.
        public var maxBodyBytes = 1024 * 1024
        /// Seconds a client has to send the request line and headers. Default 10.
        public var headerTimeoutSeconds = 10
        /// Seconds a client has to send the body. Default 30.
        public var bodyTimeoutSeconds = 30
        /// Seconds an idle keep-alive connection is kept open. Default 60.
        public var idleTimeoutSeconds = 60
        /// Most open connections; the next one gets a fast 503. Default 1024.
        public var maxConnections = 1024
    }

    /// How failed handlers are retried before the event becomes a dead letter.
    public struct Retry: Sendable, Equatable {
        /// Attempts per event before it is marked failed. Default 10.
        public var maxAttempts = 10
        /// Delay before the second attempt, in seconds; it doubles each time. Default 1.
        public var initialDelaySeconds = 1.0
        /// Longest delay between attempts, in seconds. Default 3600.
        public var maxDelaySeconds = 3600.0
    }

    /// The defaults.
    public init() {}

    /// The endpoints served: `endpoints`, or the one made of `path`, `secrets` and `tolerance_seconds`.
    public var effectiveEndpoints: [EndpointConfiguration] {
        endpoints.isEmpty ? [EndpointConfiguration(path: path, secrets: secrets, toleranceSeconds: nil)] : endpoints
    }

    /// Checks values that no single field can check alone. Errors name the key; all of them are found
    /// before it throws (one error, or every one in a single error).
    public func validate() throws(ConfigurationError) {
        let issues = ConfigurationIssues()
        validate(into: issues)
        if let error = issues.combinedError { throw error }
    }

    /// Checks every value and records each mistake in `issues`.
    func validate(into issues: ConfigurationIssues) {
        if !(0...65535).contains(port) { issues.error("port: \(port) is not a TCP port (0–65535)") }
        issues.check { () throws(ConfigurationError) in try Self.validatePath(path, key: "path") }
        if host.isEmpty { issues.error("host: must not be empty (use 127.0.0.1 or 0.0.0.0)") }
        if toleranceSeconds <= 0 {
            issues.error("tolerance_seconds: \(toleranceSeconds) is not allowed; Stripe's default is 300. "
                + "To turn the timestamp check off (not recommended) set disable_timestamp_check")
        }
        if eventLoops < 1 || eventLoops > 64 { issues.error("event_loops: must be 1–64") }
        if workers < 1 || workers > 256 { issues.error("workers: must be 1–256") }
        if claimLeaseSeconds < 2 || claimLeaseSeconds > 86_400 { issues.error("claim_lease_seconds: must be 2–86400") }
        if shutdownGraceSeconds < 0 { issues.error("shutdown_grace_seconds: must be 0 or more") }
        let positive: [(String, Int)] = [
            ("limits.max_request_line_bytes", limits.maxRequestLineBytes), ("limits.max_header_bytes", limits.maxHeaderBytes),
            ("limits.max_header_count", limits.maxHeaderCount), ("limits.max_body_bytes", limits.maxBodyBytes),
            ("limits.header_timeout_seconds", limits.headerTimeoutSeconds), ("limits.body_timeout_seconds", limits.bodyTimeoutSeconds),
            ("limits.idle_timeout_seconds", limits.idleTimeoutSeconds), ("limits.max_connections", limits.maxConnections),
            ("retry.max_attempts", retry.maxAttempts),
        ]
        for (key, value) in positive where value <= 0 {
            issues.error("\(key): must be a positive number, got \(value)")
        }
        if !(retry.initialDelaySeconds > 0 && retry.maxDelaySeconds >= retry.initialDelaySeconds) {
            issues.error("retry: initial_delay_seconds must be > 0 and max_delay_seconds at least as large")
        }
        if let adminPort = admin.port {
            if !(0...65535).contains(adminPort) {
                issues.error("admin.port: \(adminPort) is not a TCP port (0–65535)")
            } else if adminPort != 0, adminPort == port, admin.host == host || Self.isWildcard(admin.host) || Self.isWildcard(host) {
                issues.error("admin.port: \(adminPort) is the webhook port; give the admin listener a port of its own")
            }
            if admin.host.isEmpty { issues.error("admin.host: must not be empty (use 127.0.0.1)") }
        }
        if readiness.maxPendingAgeSeconds <= 0 { issues.error("readiness.max_pending_age_seconds: must be a positive number") }
        if readiness.storeCheckTimeoutSeconds <= 0 { issues.error("readiness.store_check_timeout_seconds: must be a positive number") }
        issues.check { () throws(ConfigurationError) in _ = try Self.networks(trustedProxies, key: "trusted_proxies") }
        issues.check { () throws(ConfigurationError) in _ = try Self.networks(allowedSourceIPs, key: "allowed_source_ips") }
        validateEndpoints(into: issues)
        validateHandlers(into: issues)
        validateStripe(into: issues)
        validateAdmin(into: issues)
    }

    /// Whether `host` listens on every address (`0.0.0.0`, `::`), and so on every other host's port too.
    static func isWildcard(_ host: String) -> Bool {
        host == "0.0.0.0" || host == "::" || host == "[::]"
    }

    /// Parses a list of addresses and CIDR blocks; errors name the entry.
    static func networks(_ list: [String], key: String) throws(ConfigurationError) -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for (index, text) in list.enumerated() {
            guard let network = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("\(key)[\(index)]: \"\(text)\" is not an IP address or CIDR block (examples: 10.0.0.1, 10.0.0.0/8, 2001:db8::/32)")
            }
            networks.append(network)
        }
        return networks
    }

    /// Checks a webhook path; `key` names it in the error.
    static func validatePath(_ path: String, key: String) throws(ConfigurationError) {
        guard path.hasPrefix("/"), !path.contains(" "), !path.contains("?") else {
            throw ConfigurationError("\(key): \"\(path)\" must start with / and hold no spaces or query")
        }
    }
}
