import Foundation
import StripeWebhooks
import WebhookSupport

extension DaemonConfiguration {
    /// Applies a JSON config file's settings on top of `self`. Unknown keys are rejected by name, so a
    /// typo never silently falls back to a default.
    public mutating func apply(configFile path: String) throws(ConfigurationError) {
        let issues = ConfigurationIssues()
        try apply(configFile: path, issues: issues)
        if let error = issues.combinedError { throw error }
    }

    /// Applies what decodes of a JSON config file and records every mistake in `issues`; throws only
    /// when the file cannot be read or is not JSON.
    mutating func apply(configFile path: String, issues: ConfigurationIssues) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("config file \(path): cannot read it (does it exist?)")
        }
        try apply(configJSON: data, source: path, issues: issues)
    }

    /// Applies settings from JSON `data`; `source` names it in error messages. Every mistake in the
    /// file is found before it throws: one error, or all of them in one.
    public mutating func apply(configJSON data: Data, source: String) throws(ConfigurationError) {
        let issues = ConfigurationIssues()
        try apply(configJSON: data, source: source, issues: issues)
        if let error = issues.combinedError { throw error }
    }

    /// Applies what decodes of JSON `data` and records every mistake in `issues`; throws only when the
    /// file is not JSON at all (naming the line and column).
    mutating func apply(configJSON data: Data, source: String, issues: ConfigurationIssues) throws(ConfigurationError) {
        // The project's own parser knows where a syntax error is (and refuses duplicate keys).
        do {
            _ = try JSONParser().parse([UInt8](data))
        } catch {
            throw ConfigurationError("config file \(source): not valid JSON: \(error.detail) at line \(error.line), column \(error.column)")
        }
        issues.source = source
        defer { issues.source = nil }
        let decoder = JSONDecoder()
        decoder.userInfo[ConfigurationIssues.userInfoKey] = issues
        let file: FileSettings
        do {
            file = try decoder.decode(FileSettings.self, from: data)
        } catch {
            issues.record(error)
            return
        }
        if file.endpoints != nil, file.path != nil || file.secrets != nil {
            issues.error("endpoints: give either \"endpoints\" or the top-level \"path\" and \"secrets\", not both")
        }
        if let v = file.endpoints { endpoints = v.map(\.endpoint) }
        if let v = file.handlers { handlers = v.map(\.handler) }
        if let v = file.host { host = v }
        if let v = file.port { port = v }
        if let v = file.path { path = v }
        if let v = file.secrets { secrets = v.map { SecretReference(parsing: $0.value, label: $0.label) } }
        if let v = file.toleranceSeconds { toleranceSeconds = v }
        if let v = file.disableTimestampCheck { disableTimestampCheck = v }
        if let v = file.logLevel {
            if let level = Logger.Level(name: v) {
                logLevel = level
            } else {
                issues.error("log_level: \"\(v)\" is not one of \(Self.levelNames)")
            }
        }
        if let v = file.logFormat {
            if let format = LogSink.Format(rawValue: v) {
                logFormat = format
            } else {
                issues.error("log_format: \"\(v)\" is not one of text, json")
            }
        }
        if let v = file.store { store = v }
        if let v = file.eventLoops { eventLoops = v }
        if let v = file.workers { workers = v }
        if let v = file.claimLeaseSeconds { claimLeaseSeconds = v }
        if let v = file.shutdownGraceSeconds { shutdownGraceSeconds = v }
        if let l = file.limits {
            if let v = l.maxRequestLineBytes { limits.maxRequestLineBytes = v }
            if let v = l.maxHeaderBytes { limits.maxHeaderBytes = v }
            if let v = l.maxHeaderCount { limits.maxHeaderCount = v }
            if let v = l.maxBodyBytes { limits.maxBodyBytes = v }
            if let v = l.headerTimeoutSeconds { limits.headerTimeoutSeconds = v }
            if let v = l.bodyTimeoutSeconds { limits.bodyTimeoutSeconds = v }
            if let v = l.idleTimeoutSeconds { limits.idleTimeoutSeconds = v }
            if let v = l.maxConnections { limits.maxConnections = v }
        }
        if let a = file.admin {
            if let v = a.host { admin.host = v }
            if let v = a.port { admin.port = v }
            if let v = a.auth { admin.auth = v.configuration }
        }
        if let v = file.trustedProxies { trustedProxies = v }
        if let v = file.allowedSourceIPs { allowedSourceIPs = v }
        if let r = file.readiness {
            if let v = r.maxPendingAgeSeconds { readiness.maxPendingAgeSeconds = v }
            if let v = r.storeCheckTimeoutSeconds { readiness.storeCheckTimeoutSeconds = v }
        }
        file.stripe?.apply(to: &stripe)
        if let r = file.retry {
            if let v = r.maxAttempts { retry.maxAttempts = v }
            if let v = r.initialDelaySeconds { retry.initialDelaySeconds = v }
            if let v = r.maxDelaySeconds { retry.maxDelaySeconds = v }
        }
    }

    static let levelNames = Logger.Level.allCases.map(\.description).joined(separator: ", ")

    /// Turns a decoding error into a sentence naming the key path and what was expected.
    static func explain(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            let path = keyPath(context.codingPath)
            return "\(path.isEmpty ? "the top level" : path): expected \(Self.typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(keyPath(context.codingPath)): expected \(Self.typeName(type)), found null"
        case .keyNotFound(let key, let context):
            let parent = keyPath(context.codingPath)
            return "\(parent.isEmpty ? "" : parent + ": ")missing required key \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))" }
            return "\(keyPath(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// A coding path as the config file spells it: `handlers[0].forward.url`.
    static func keyPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type: "an array of strings"
        case is [String: String].Type: "an object whose values are strings"
        default:
            // Decoding reports a mismatched container as Array<Any> or Dictionary<String, Any>.
            String(describing: type).hasPrefix("Array") ? "an array"
                : String(describing: type).hasPrefix("Dictionary") ? "an object" : "a value of another type (see config.example.json)"
        }
    }
}

/// A JSON object key that may be any string: used to find keys the schema does not know.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension KeyedDecodingContainer {
    /// Reports every key of the JSON object outside `Key`'s cases, naming it and the allowed ones
    /// (recorded when the decoder collects issues, else the first is thrown).
    func rejectUnknownKeys<Known: CodingKey & CaseIterable>(_ known: Known.Type, in decoder: any Decoder, context: String) throws {
        let all = try decoder.container(keyedBy: AnyCodingKey.self)
        let allowed = Set(Known.allCases.map(\.stringValue))
        for key in all.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !allowed.contains(key.stringValue) {
            let place = context.isEmpty ? "" : "\(context): "
            // Other mistakes in the same object still show: this one hides nothing under its path.
            try decoder.report("\(place)unknown key \"\(key.stringValue)\"; expected one of: \(Known.allCases.map(\.stringValue).sorted().joined(separator: ", "))", hidesWithin: false)
        }
    }
}

/// The config file's shape: every key optional, unknown keys rejected.
struct FileSettings: Decodable {
    var host: String?
    var port: Int?
    var path: String?
    var secrets: [SecretSetting]?
    var toleranceSeconds: Int64?
    var disableTimestampCheck: Bool?
    var logLevel: String?
    var logFormat: String?
    var store: String?
    var eventLoops: Int?
    var workers: Int?
    var claimLeaseSeconds: Int?
    var shutdownGraceSeconds: Int?
    var limits: LimitSettings?
    var retry: RetrySettings?
    var endpoints: [EndpointSetting]?
    var handlers: [HandlerSetting]?
    var admin: AdminSettings?
    var trustedProxies: [String]?
    var allowedSourceIPs: [String]?
    var readiness: ReadinessSettings?
    var stripe: StripeSettings?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, path, secrets, store, workers, limits, retry, endpoints, handlers, admin, readiness
        case trustedProxies = "trusted_proxies", allowedSourceIPs = "allowed_source_ips"
        case toleranceSeconds = "tolerance_seconds", disableTimestampCheck = "disable_timestamp_check"
        case logLevel = "log_level", logFormat = "log_format", eventLoops = "event_loops"
        case shutdownGraceSeconds = "shutdown_grace_seconds"
        case claimLeaseSeconds = "claim_lease_seconds"
        case stripe
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "")
        host = try c.lenient(String.self, forKey: .host, in: decoder)
        port = try c.lenient(Int.self, forKey: .port, in: decoder)
        path = try c.lenient(String.self, forKey: .path, in: decoder)
        secrets = try c.lenientList(SecretSetting.self, forKey: .secrets, in: decoder)
        toleranceSeconds = try c.lenient(Int64.self, forKey: .toleranceSeconds, in: decoder)
        disableTimestampCheck = try c.lenient(Bool.self, forKey: .disableTimestampCheck, in: decoder)
        logLevel = try c.lenient(String.self, forKey: .logLevel, in: decoder)
        logFormat = try c.lenient(String.self, forKey: .logFormat, in: decoder)
        store = try c.lenient(String.self, forKey: .store, in: decoder)
        eventLoops = try c.lenient(Int.self, forKey: .eventLoops, in: decoder)
        workers = try c.lenient(Int.self, forKey: .workers, in: decoder)
        claimLeaseSeconds = try c.lenient(Int.self, forKey: .claimLeaseSeconds, in: decoder)
        shutdownGraceSeconds = try c.lenient(Int.self, forKey: .shutdownGraceSeconds, in: decoder)
        limits = try c.lenient(LimitSettings.self, forKey: .limits, in: decoder)
        retry = try c.lenient(RetrySettings.self, forKey: .retry, in: decoder)
        endpoints = try c.lenientList(EndpointSetting.self, forKey: .endpoints, in: decoder)
        handlers = try c.lenientList(HandlerSetting.self, forKey: .handlers, in: decoder)
        admin = try c.lenient(AdminSettings.self, forKey: .admin, in: decoder)
        trustedProxies = try c.lenient([String].self, forKey: .trustedProxies, in: decoder)
        allowedSourceIPs = try c.lenient([String].self, forKey: .allowedSourceIPs, in: decoder)
        readiness = try c.lenient(ReadinessSettings.self, forKey: .readiness, in: decoder)
        stripe = try c.lenient(StripeSettings.self, forKey: .stripe, in: decoder)
    }
}

/// The `admin` object.
struct AdminSettings: Decodable {
    var host: String?
    var port: Int?
    var auth: AdminAuthSettings?

    enum CodingKeys: String, CodingKey, CaseIterable { case host, port, auth }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "admin")
        host = try c.lenient(String.self, forKey: .host, in: decoder)
        port = try c.lenient(Int.self, forKey: .port, in: decoder)
        auth = try c.lenient(AdminAuthSettings.self, forKey: .auth, in: decoder)
    }
}

/// The `readiness` object.
struct ReadinessSettings: Decodable {
    var maxPendingAgeSeconds: Int?
    var storeCheckTimeoutSeconds: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxPendingAgeSeconds = "max_pending_age_seconds", storeCheckTimeoutSeconds = "store_check_timeout_seconds"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "readiness")
        maxPendingAgeSeconds = try c.lenient(Int.self, forKey: .maxPendingAgeSeconds, in: decoder)
        storeCheckTimeoutSeconds = try c.lenient(Double.self, forKey: .storeCheckTimeoutSeconds, in: decoder)
    }
}

/// One entry of `secrets`: a string (`env:NAME`, `file:PATH`, a literal) or `{"value": …, "label": …}`.
struct SecretSetting: Decodable {
    var value: String
    var label: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case value, label }

    init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            value = text
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: DaemonConfiguration.keyPath(decoder.codingPath))
        value = try c.decode(String.self, forKey: .value)
        label = try c.lenient(String.self, forKey: .label, in: decoder)
    }
}

/// The `limits` object.
struct LimitSettings: Decodable {
    var maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes: Int?
    var headerTimeoutSeconds, bodyTimeoutSeconds, idleTimeoutSeconds, maxConnections: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxRequestLineBytes = "max_request_line_bytes", maxHeaderBytes = "max_header_bytes"
        case maxHeaderCount = "max_header_count", maxBodyBytes = "max_body_bytes"
        case headerTimeoutSeconds = "header_timeout_seconds", bodyTimeoutSeconds = "body_timeout_seconds"
        case idleTimeoutSeconds = "idle_timeout_seconds", maxConnections = "max_connections"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "limits")
        maxRequestLineBytes = try c.lenient(Int.self, forKey: .maxRequestLineBytes, in: decoder)
        maxHeaderBytes = try c.lenient(Int.self, forKey: .maxHeaderBytes, in: decoder)
        maxHeaderCount = try c.lenient(Int.self, forKey: .maxHeaderCount, in: decoder)
        maxBodyBytes = try c.lenient(Int.self, forKey: .maxBodyBytes, in: decoder)
        headerTimeoutSeconds = try c.lenient(Int.self, forKey: .headerTimeoutSeconds, in: decoder)
        bodyTimeoutSeconds = try c.lenient(Int.self, forKey: .bodyTimeoutSeconds, in: decoder)
        idleTimeoutSeconds = try c.lenient(Int.self, forKey: .idleTimeoutSeconds, in: decoder)
        maxConnections = try c.lenient(Int.self, forKey: .maxConnections, in: decoder)
    }
}

/// The `retry` object.
struct RetrySettings: Decodable {
    var maxAttempts: Int?
    var initialDelaySeconds, maxDelaySeconds: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxAttempts = "max_attempts", initialDelaySeconds = "initial_delay_seconds", maxDelaySeconds = "max_delay_seconds"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "retry")
        maxAttempts = try c.lenient(Int.self, forKey: .maxAttempts, in: decoder)
        initialDelaySeconds = try c.lenient(Double.self, forKey: .initialDelaySeconds, in: decoder)
        maxDelaySeconds = try c.lenient(Double.self, forKey: .maxDelaySeconds, in: decoder)
    }
}
