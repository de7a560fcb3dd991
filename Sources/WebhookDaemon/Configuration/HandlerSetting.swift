import Foundation

/// One entry of the config file's `handlers`, decoded into a ``HandlerConfiguration``. Unknown keys,
/// a missing action, two actions, or a key that does not fit the action are errors naming the entry.
struct HandlerSetting: Decodable {
    /// The decoded handler.
    let handler: HandlerConfiguration

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, events, command, forward, environment
        case workingDirectory = "working_directory", timeoutSeconds = "timeout_seconds"
        case killGraceSeconds = "kill_grace_seconds", maxAttempts = "max_attempts"
        case maxConcurrency = "max_concurrency", dedupeKey = "dedupe_key"
        case skipStale = "skip_stale"
    }

    init(from decoder: any Decoder) throws {
        let place = DaemonConfiguration.keyPath(decoder.codingPath)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: place)
        let name = try c.decode(String.self, forKey: .name)
        let events = try c.decode([String].self, forKey: .events)
        let command = try c.decodeIfPresent([String].self, forKey: .command)
        let forward = try c.decodeIfPresent(ForwardSetting.self, forKey: .forward)
        let action: HandlerConfiguration.Action
        switch (command, forward) {
        case (let argv?, nil):
            var settings = HandlerConfiguration.Command(argv: argv)
            if let environment = try c.decodeIfPresent([String: String].self, forKey: .environment) {
                settings.environment = environment.mapValues(ValueReference.init(parsing:))
            }
            settings.workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
            action = .command(settings)
        case (nil, let forward?):
            for key in [CodingKeys.environment, .workingDirectory, .killGraceSeconds] where c.contains(key) {
                throw ConfigurationError("\(place).\(key.stringValue): applies to command handlers only; this handler forwards")
            }
            action = .forward(forward.forward)
        case (nil, nil):
            throw ConfigurationError("\(place): no action; give \"command\" (an argv array) or \"forward\" (an object with \"url\")")
        case (.some, .some):
            throw ConfigurationError("\(place): give one action, \"command\" or \"forward\", not both")
        }
        var handler = HandlerConfiguration(name: name, events: events, action: action)
        if let v = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) { handler.timeoutSeconds = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .killGraceSeconds) { handler.killGraceSeconds = v }
        handler.maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts)
        if let v = try c.decodeIfPresent(Int.self, forKey: .maxConcurrency) { handler.maxConcurrency = v }
        if let v = try c.decodeIfPresent([String: String].self, forKey: .dedupeKey) { handler.dedupeKey = v }
        if let v = try c.decodeIfPresent(Bool.self, forKey: .skipStale) { handler.skipStale = v }
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
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: DaemonConfiguration.keyPath(decoder.codingPath))
        var forward = HandlerConfiguration.Forward(url: try c.decode(String.self, forKey: .url))
        if let headers = try c.decodeIfPresent([String: String].self, forKey: .headers) {
            forward.headers = headers.mapValues(ValueReference.init(parsing:))
        }
        if let secret = try c.decodeIfPresent(SecretSetting.self, forKey: .signingSecret) {
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
        case path, secrets
        case toleranceSeconds = "tolerance_seconds"
        case webhookEndpointID = "webhook_endpoint_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: DaemonConfiguration.keyPath(decoder.codingPath))
        let secrets = try c.decode([SecretSetting].self, forKey: .secrets).map { SecretReference(parsing: $0.value, label: $0.label) }
        endpoint = EndpointConfiguration(
            path: try c.decode(String.self, forKey: .path), secrets: secrets,
            toleranceSeconds: try c.decodeIfPresent(Int64.self, forKey: .toleranceSeconds),
            webhookEndpointID: try c.decodeIfPresent(String.self, forKey: .webhookEndpointID)
        )
    }
}
