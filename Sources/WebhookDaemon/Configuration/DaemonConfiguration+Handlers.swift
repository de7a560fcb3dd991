import Foundation
import StripeWebhooks

extension DaemonConfiguration {
    /// Checks `endpoints`: valid, distinct paths, each with a secret, tolerances above 0.
    func validateEndpoints(into issues: ConfigurationIssues) {
        var paths: Set<String> = []
        for (index, endpoint) in endpoints.enumerated() {
            let place = "endpoints[\(index)]"
            issues.check { () throws(ConfigurationError) in try Self.validatePath(endpoint.path, key: "\(place).path") }
            if !paths.insert(endpoint.path).inserted {
                issues.error("\(place).path: \(endpoint.path) is listed twice; each endpoint needs its own path")
            }
            if endpoint.secrets.isEmpty {
                issues.error("\(place).secrets: no secret for \(endpoint.path); give its Stripe endpoint's signing secret as env:NAME, file:PATH or the whsec_… value")
            }
            if let tolerance = endpoint.toleranceSeconds, tolerance <= 0 {
                issues.error("\(place).tolerance_seconds: \(tolerance) is not allowed; Stripe's default is 300")
            }
        }
    }

    /// Checks `handlers`: names, patterns, one well-formed action, limits and dedupe keys.
    func validateHandlers(into issues: ConfigurationIssues) {
        var names: Set<String> = []
        for (index, handler) in handlers.enumerated() {
            let place = "handlers[\(index)]"
            issues.check { () throws(ConfigurationError) in try Self.validateName(handler.name, key: "\(place).name") }
            if !handler.name.isEmpty, !names.insert(handler.name).inserted {
                issues.error("\(place).name: \"\(handler.name)\" is used by an earlier handler; names must be unique")
            }
            var patterns: [EventPattern]?
            issues.check { () throws(ConfigurationError) in patterns = try Self.patterns(handler.events, key: "\(place).events") }
            if !(handler.timeoutSeconds > 0 && handler.timeoutSeconds <= 86_400) {
                issues.error("\(place).timeout_seconds: expected more than 0 and at most 86400, got \(handler.timeoutSeconds)")
            }
            if !(handler.killGraceSeconds >= 0 && handler.killGraceSeconds <= 3_600) {
                issues.error("\(place).kill_grace_seconds: expected 0 to 3600, got \(handler.killGraceSeconds)")
            }
            if let attempts = handler.maxAttempts, attempts < 1 {
                issues.error("\(place).max_attempts: expected 1 or more, got \(attempts)")
            }
            if !(1...1024).contains(handler.maxConcurrency) {
                issues.error("\(place).max_concurrency: expected 1 to 1024, got \(handler.maxConcurrency)")
            }
            if let fetch = handler.fetch, stripe.apiKey == nil {
                issues.error("\(place).fetch: needs stripe.api_key to read thin events' \(fetch == .event ? "full event" : "related object") from Stripe's API (a restricted key with read access to what the handler fetches)")
            }
            if let patterns {
                issues.check { () throws(ConfigurationError) in try Self.validateDedupeKey(handler.dedupeKey, patterns: patterns, key: "\(place).dedupe_key") }
            }
            switch handler.action {
            case .command(let command): Self.validate(command, key: place, into: issues)
            case .forward(let forward): issues.check { () throws(ConfigurationError) in try Self.validate(forward, key: "\(place).forward") }
            }
        }
    }

    /// Names are what the event record and logs show: keep them short and plain.
    static func validateName(_ name: String, key: String) throws(ConfigurationError) {
        let allowed = name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
        guard !name.isEmpty, name.utf8.count <= 100, allowed else {
            throw ConfigurationError("\(key): \"\(name)\" must be 1–100 letters, digits, '.', '-' or '_'")
        }
        guard !name.hasPrefix("builtin.") else {
            throw ConfigurationError("\(key): \"\(name)\": names starting with builtin. belong to the built-in handlers")
        }
    }

    /// Parses every pattern of `events`; errors name the entry.
    static func patterns(_ events: [String], key: String) throws(ConfigurationError) -> [EventPattern] {
        guard !events.isEmpty else {
            throw ConfigurationError("\(key): empty; list event types such as \"invoice.paid\", prefixes such as \"invoice.*\", or \"*\"")
        }
        var patterns: [EventPattern] = []
        for (index, text) in events.enumerated() {
            do {
                patterns.append(try EventPattern(text))
            } catch {
                throw ConfigurationError("\(key)[\(index)]: \"\(text)\": \(error.message)")
            }
        }
        return patterns
    }

    /// Each dedupe type is an exact type the handler takes; each path is dotted member names.
    static func validateDedupeKey(_ dedupeKey: [String: String], patterns: [EventPattern], key: String) throws(ConfigurationError) {
        for type in dedupeKey.keys.sorted() {
            let path = dedupeKey[type] ?? ""
            let pattern: EventPattern
            do { pattern = try EventPattern(type) } catch {
                throw ConfigurationError("\(key): \"\(type)\" is not an event type: \(error.message)")
            }
            guard pattern.text == type, !type.hasSuffix("*") else {
                throw ConfigurationError("\(key): \"\(type)\": give exact event types, such as \"invoice.paid\", not patterns")
            }
            guard patterns.contains(where: { $0.matches(EventType(type)) }) else {
                throw ConfigurationError("\(key): \"\(type)\" is not among the handler's events; add it to events or remove it here")
            }
            let alternatives = path.split(separator: DedupeKey.alternativeSeparator, omittingEmptySubsequences: false)
            guard !alternatives.contains(where: { $0.isEmpty || $0.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) }) else {
                throw ConfigurationError("\(key).\(type): \"\(path)\" is not a JSON path; expected dotted names such as \"data.object.invoice\", or several joined by | (the first present counts), such as \"snapshot_event|id\"")
            }
        }
    }

    /// Variables the daemon sets for every command; the environment map may not replace them.
    static let reservedVariables = Set([
        "STRIPE_EVENT_ID", "STRIPE_EVENT_TYPE", "STRIPE_EVENT_LIVEMODE", "STRIPE_OBJECT_ID", "STRIPE_EVENT_ATTEMPT",
    ]).union(CommandAction.thinVariableNames)

    /// A command: a program, NUL-free arguments, valid variable names, an absolute working directory.
    static func validate(_ command: HandlerConfiguration.Command, key: String, into issues: ConfigurationIssues) {
        if command.argv.first?.isEmpty ?? true {
            issues.error("\(key).command: expected [\"/path/to/program\", \"arg\", …] with a program first")
        }
        for (index, argument) in command.argv.enumerated() where argument.utf8.contains(0) {
            issues.error("\(key).command[\(index)]: contains a NUL character")
        }
        issues.check { () throws(ConfigurationError) in try validateSettings(of: command, key: key) }
    }

    /// A command's variable names and working directory.
    static func validateSettings(of command: HandlerConfiguration.Command, key: String) throws(ConfigurationError) {
        for name in command.environment.keys.sorted() {
            let valid = name.utf8.first.map { !(0x30...0x39).contains($0) } == true && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
            }
            guard valid else {
                throw ConfigurationError("\(key).environment: \"\(name)\" is not a variable name (letters, digits and _, not starting with a digit)")
            }
            guard !reservedVariables.contains(name) else {
                throw ConfigurationError("\(key).environment.\(name): set by the daemon for every event; choose another name")
            }
        }
        if let directory = command.workingDirectory, !directory.hasPrefix("/") {
            throw ConfigurationError("\(key).working_directory: \"\(directory)\" must be an absolute path")
        }
    }

    /// Headers the daemon sets itself on every forward.
    static let reservedHeaders: Set<String> = [
        "content-type", "content-length", "host", "transfer-encoding", "connection", "stripe-signature",
        "x-stripe-event-id", "x-stripe-event-type",
    ]

    /// A forward: an http(s) URL with a host; header names that are tokens and not the daemon's own.
    static func validate(_ forward: HandlerConfiguration.Forward, key: String) throws(ConfigurationError) {
        guard let url = URL(string: forward.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError("\(key).url: \"\(forward.url)\" is not an http:// or https:// URL with a host")
        }
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
        for name in forward.headers.keys.sorted() {
            let isToken = !name.isEmpty && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || tokenSymbols.contains(byte)
            }
            guard isToken else { throw ConfigurationError("\(key).headers: \"\(name)\" is not a header name") }
            guard !reservedHeaders.contains(name.lowercased()) else {
                throw ConfigurationError("\(key).headers.\(name): set by the daemon on every forward; remove it")
            }
        }
    }
}
