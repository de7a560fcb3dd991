import EventStore
import Foundation
import StripeWebhooks
import WebhookSupport

extension DaemonConfiguration {
    /// The effective configuration as a JSON document in the config file's shape, for `check-config`:
    /// every secret, header value and variable shown by its reference (`env:NAME`, `file:PATH`) or
    /// as redacted, never by value; URL passwords and query strings are redacted too.
    func rendered() -> JSONValue {
        let several = endpoints.count > 1
        let endpointValues: [JSONValue] = effectiveEndpoints.map { endpoint in
            let secrets: [JSONValue] = endpoint.secrets.enumerated().map { index, secret in
                let fallback = secret.displayLabel(index: index)
                let label = secret.label ?? (several ? "\(endpoint.path) \(fallback)" : fallback)
                return .object(JSONObject([("value", .string(secret.description)), ("label", .string(label))]))
            }
            var members: [(String, JSONValue)] = [
                ("path", .string(endpoint.path)), ("secrets", .array(secrets)),
                ("tolerance_seconds", .int(endpoint.toleranceSeconds ?? toleranceSeconds)),
                ("payload", .string(endpoint.payload.rawValue)),
            ]
            if let id = endpoint.webhookEndpointID { members.append(("webhook_endpoint_id", .string(id))) }
            return .object(JSONObject(members))
        }
        let members: [(String, JSONValue)] = [
            ("host", .string(host)), ("port", .int(Int64(port))),
            ("endpoints", .array(endpointValues)),
            ("disable_timestamp_check", .bool(disableTimestampCheck)),
            ("store", .string(StoreLocation.redacted(store))), ("log_level", .string(logLevel.description)),
            ("log_format", logFormat.map { .string($0.rawValue) } ?? .string("auto (text on a terminal, else json)")),
            ("event_loops", .int(Int64(eventLoops))), ("workers", .int(Int64(workers))),
            ("shutdown_grace_seconds", .int(Int64(shutdownGraceSeconds))), ("claim_lease_seconds", .int(Int64(claimLeaseSeconds))),
            ("limits", .object(JSONObject([
                ("max_request_line_bytes", .int(Int64(limits.maxRequestLineBytes))), ("max_header_bytes", .int(Int64(limits.maxHeaderBytes))),
                ("max_header_count", .int(Int64(limits.maxHeaderCount))), ("max_body_bytes", .int(Int64(limits.maxBodyBytes))),
                ("header_timeout_seconds", .int(Int64(limits.headerTimeoutSeconds))), ("body_timeout_seconds", .int(Int64(limits.bodyTimeoutSeconds))),
                ("idle_timeout_seconds", .int(Int64(limits.idleTimeoutSeconds))), ("max_connections", .int(Int64(limits.maxConnections))),
            ]))),
            ("retry", .object(JSONObject([
                ("max_attempts", .int(Int64(retry.maxAttempts))), ("initial_delay_seconds", Self.number(retry.initialDelaySeconds)),
                ("max_delay_seconds", Self.number(retry.maxDelaySeconds)),
            ]))),
            ("admin", .object(JSONObject([
                ("host", .string(admin.host)), ("port", admin.port.map { .int(Int64($0)) } ?? .string("none: admin paths on the main listener")),
                ("auth", admin.auth.map { auth in
                    .object(JSONObject([
                        ("token", auth.token.map { .string($0.description) } ?? .null),
                        ("users", .array(auth.users.map { .string($0.name) })),
                        ("public_paths", .array(auth.publicPaths.map { .string($0) })),
                        ("allowed_origins", .array(auth.allowedOrigins.map { .string($0) })),
                        ("secure_cookies", .bool(auth.secureCookies)), ("session_seconds", .int(Int64(auth.sessionSeconds))),
                    ]))
                } ?? .string("none: anyone who reaches the admin listener")),
            ]))),
            ("trusted_proxies", .array(trustedProxies.map { .string($0) })),
            ("allowed_source_ips", .array(allowedSourceIPs.map { .string($0) })),
            ("readiness", .object(JSONObject([
                ("max_pending_age_seconds", .int(Int64(readiness.maxPendingAgeSeconds))),
                ("store_check_timeout_seconds", Self.number(readiness.storeCheckTimeoutSeconds)),
            ]))),
            ("handlers", .array(handlers.map(rendered))),
            ("stripe", renderedStripe()),
        ]
        return .object(JSONObject(members))
    }

    /// One handler, its effective settings filled in.
    private func rendered(_ handler: HandlerConfiguration) -> JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(handler.name)), ("events", .array(handler.events.map { .string($0) }))]
        switch handler.action {
        case .command(let command):
            members.append(("command", .array(command.argv.map { .string($0) })))
            members.append(("environment", Self.references(command.environment)))
            members.append(("working_directory", command.workingDirectory.map { .string($0) } ?? .null))
        case .forward(let forward):
            var settings: [(String, JSONValue)] = [("url", .string(Self.redactedURL(forward.url))), ("headers", Self.references(forward.headers))]
            if let secret = forward.signingSecret {
                var value: [(String, JSONValue)] = [("value", .string(secret.description))]
                if let label = secret.label { value.append(("label", .string(label))) }
                settings.append(("signing_secret", .object(JSONObject(value))))
            } else {
                settings.append(("signing_secret", .null))
            }
            members.append(("forward", .object(JSONObject(settings))))
        }
        members.append(("timeout_seconds", Self.number(handler.timeoutSeconds)))
        if case .command = handler.action { members.append(("kill_grace_seconds", Self.number(handler.killGraceSeconds))) }
        members.append(("max_attempts", .int(Int64(handler.maxAttempts ?? retry.maxAttempts))))
        members.append(("max_concurrency", .int(Int64(handler.maxConcurrency))))
        if let fetch = handler.fetch { members.append(("fetch", .string(fetch.rawValue))) }
        members.append(("dedupe_key", .object(JSONObject(handler.dedupeKey.keys.sorted().map { ($0, .string(handler.dedupeKey[$0] ?? "")) }))))
        if handler.skipStale { members.append(("skip_stale", .bool(true))) }
        return .object(JSONObject(members))
    }

    /// A name → reference map with references shown redacted.
    private static func references(_ map: [String: ValueReference]) -> JSONValue {
        .object(JSONObject(map.keys.sorted().map { ($0, .string(map[$0]?.description ?? "")) }))
    }

    /// Whole numbers as integers, others as they are.
    private static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .double(value)
    }

    /// The URL with any password and query string redacted: either may hold a credential.
    static func redactedURL(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "<unparsable URL, redacted>" }
        if components.password != nil { components.password = "redacted" }
        if components.query != nil { components.query = "redacted" }
        return components.string ?? "<URL redacted>"
    }
}

/// Indented JSON text, members in their stored order (the config file's order, for `check-config`).
enum PrettyJSON {
    /// `value` as indented JSON text, with a final newline.
    static func render(_ value: JSONValue) -> String {
        var text = ""
        write(value, indent: "", to: &text)
        return text + "\n"
    }

    /// Whether `value` is neither an array nor an object.
    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    private static func write(_ value: JSONValue, indent: String, to text: inout String) {
        let inner = indent + "  "
        switch value {
        case .array(let elements) where elements.allSatisfy(isScalar):
            text += "[" + elements.map(\.jsonText).joined(separator: ", ") + "]"
        case .array(let elements):
            text += "[\n"
            for (position, element) in elements.enumerated() {
                text += inner
                write(element, indent: inner, to: &text)
                text += position == elements.count - 1 ? "\n" : ",\n"
            }
            text += indent + "]"
        case .object(let object) where !object.isEmpty:
            text += "{\n"
            for (position, member) in object.enumerated() {
                text += inner + JSONValue.string(member.key).jsonText + ": "
                write(member.value, indent: inner, to: &text)
                text += position == object.count - 1 ? "\n" : ",\n"
            }
            text += indent + "}"
        default:
            text += value.jsonText
        }
    }
}
