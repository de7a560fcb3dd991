import Foundation
import StripeWebhooks

/// One entry of the config file's `handlers`, decoded into a ``HandlerConfiguration``. Unknown keys,
/// a missing action, two actions, or a key that does not fit the action are errors naming the entry.
struct HandlerSetting: Decodable {
    /// The decoded handler.
    let handler: HandlerConfiguration

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, events, command, forward, environment, fetch
        case workingDirectory = "working_directory", timeoutSeconds = "timeout_seconds"
        case killGraceSeconds = "kill_grace_seconds", maxAttempts = "max_attempts"
        case maxConcurrency = "max_concurrency", dedupeKey = "dedupe_key"
        case skipStale = "skip_stale"
    }

    init(from decoder: any Decoder) throws {
        let place = DaemonConfiguration.keyPath(decoder.codingPath)
        // Collecting issues, a mistake leaves a placeholder (no name, no events, no program) whose own
        // validation errors fall under the mistake's path and are not reported twice.
        let placeholder = HandlerConfiguration(name: "", events: [], action: .command(.init(argv: [])))
        let c: KeyedDecodingContainer<CodingKeys>
        do {
            c = try decoder.container(keyedBy: CodingKeys.self)
        } catch {
            guard let issues = ConfigurationIssues.of(decoder) else { throw error }
            issues.record(error)
            handler = placeholder
            return
        }
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: place)
        try c.requireKey(.name, place: place, in: decoder)
        try c.requireKey(.events, place: place, in: decoder)
        let name = try c.lenient(String.self, forKey: .name, in: decoder) ?? ""
        let events = try c.lenient([String].self, forKey: .events, in: decoder) ?? []
        let command = try c.lenient([String].self, forKey: .command, in: decoder)
        let forward = try c.lenient(ForwardSetting.self, forKey: .forward, in: decoder)
        var action = placeholder.action
        switch (command, forward) {
        case (let argv?, nil):
            var settings = HandlerConfiguration.Command(argv: argv)
            if let environment = try c.lenient([String: String].self, forKey: .environment, in: decoder) {
                settings.environment = environment.mapValues(ValueReference.init(parsing:))
            }
            settings.workingDirectory = try c.lenient(String.self, forKey: .workingDirectory, in: decoder)
            action = .command(settings)
        case (nil, let forward?):
            for key in [CodingKeys.environment, .workingDirectory, .killGraceSeconds] where c.contains(key) {
                try decoder.report("\(place).\(key.stringValue): applies to command handlers only; this handler forwards")
            }
            action = .forward(forward.forward)
        case (nil, nil):
            // A "command" or "forward" that did not decode is reported already.
            if !c.contains(.command), !c.contains(.forward) {
                try decoder.report("\(place): no action; give \"command\" (an argv array) or \"forward\" (an object with \"url\")")
            }
        case (.some, .some):
            try decoder.report("\(place): give one action, \"command\" or \"forward\", not both")
        }
        var handler = HandlerConfiguration(name: name, events: events, action: action)
        if let v = try c.lenient(Double.self, forKey: .timeoutSeconds, in: decoder) { handler.timeoutSeconds = v }
        if let v = try c.lenient(Double.self, forKey: .killGraceSeconds, in: decoder) { handler.killGraceSeconds = v }
        handler.maxAttempts = try c.lenient(Int.self, forKey: .maxAttempts, in: decoder)
        if let v = try c.lenient(Int.self, forKey: .maxConcurrency, in: decoder) { handler.maxConcurrency = v }
        if let v = try c.lenient(String.self, forKey: .fetch, in: decoder) {
            if let fetch = HandlerConfiguration.Fetch(rawValue: v) {
                handler.fetch = fetch
            } else {
                try decoder.report("\(place).fetch: \"\(v)\" is not a fetch mode; expected \"event\" (GET /v2/core/events/{id}) or \"related_object\" (GET related_object.url)")
            }
        }
        if let v = try c.lenient([String: String].self, forKey: .dedupeKey, in: decoder) { handler.dedupeKey = v }
        if let v = try c.lenient(Bool.self, forKey: .skipStale, in: decoder) { handler.skipStale = v }
        self.handler = handler
    }
}

/// A handler's `forward` object.
struct ForwardSetting: Decodable {
    /// The decoded settings.
    let forward: HandlerConfiguration.Forward

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, headers
        case signingSecret = "signing_secret"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let place = DaemonConfiguration.keyPath(decoder.codingPath)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: place)
        try c.requireKey(.url, place: place, in: decoder)
        var forward = HandlerConfiguration.Forward(url: try c.lenient(String.self, forKey: .url, in: decoder) ?? "")
        if let headers = try c.lenient([String: String].self, forKey: .headers, in: decoder) {
            forward.headers = headers.mapValues(ValueReference.init(parsing:))
        }
        if let secret = try c.lenient(SecretSetting.self, forKey: .signingSecret, in: decoder) {
            forward.signingSecret = SecretReference(parsing: secret.value, label: secret.label)
        }
        self.forward = forward
    }
}

/// One entry of the config file's `endpoints`.
struct EndpointSetting: Decodable {
    /// The decoded endpoint.
    let endpoint: EndpointConfiguration

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, secrets, payload
        case toleranceSeconds = "tolerance_seconds"
        case webhookEndpointID = "webhook_endpoint_id"
    }

    init(from decoder: any Decoder) throws {
        let place = DaemonConfiguration.keyPath(decoder.codingPath)
        let c: KeyedDecodingContainer<CodingKeys>
        do {
            c = try decoder.container(keyedBy: CodingKeys.self)
        } catch {
            // Collecting issues, a placeholder keeps the later endpoints' indexes; its own errors are hidden.
            guard let issues = ConfigurationIssues.of(decoder) else { throw error }
            issues.record(error)
            endpoint = EndpointConfiguration(path: "/", secrets: [], toleranceSeconds: nil)
            return
        }
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: place)
        try c.requireKey(.path, place: place, in: decoder)
        try c.requireKey(.secrets, place: place, in: decoder)
        let secrets = (try c.lenientList(SecretSetting.self, forKey: .secrets, in: decoder) ?? []).map { SecretReference(parsing: $0.value, label: $0.label) }
        var endpoint = EndpointConfiguration(
            path: try c.lenient(String.self, forKey: .path, in: decoder) ?? "/", secrets: secrets,
            toleranceSeconds: try c.lenient(Int64.self, forKey: .toleranceSeconds, in: decoder),
            webhookEndpointID: try c.lenient(String.self, forKey: .webhookEndpointID, in: decoder)
        )
        if let payload = try c.lenient(String.self, forKey: .payload, in: decoder) {
            if let style = PayloadStyle(rawValue: payload) {
                endpoint.payload = style
            } else {
                try decoder.report("\(place).payload: \"\(payload)\" is not a payload style; expected \"snapshot\" (the default) or \"thin\", as the Stripe destination's payload style")
            }
        }
        self.endpoint = endpoint
    }
}
