/// The config file's `stripe` object.
struct StripeSettings: Decodable {
    var apiKey: String?
    var apiBase: String?
    var requestTimeoutSeconds: Double?
    var maxRetries: Int?
    var endpointCheckIntervalSeconds: Int?
    var catchUp: CatchUpSettings?
    var webhookEndpointID: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case webhookEndpointID = "webhook_endpoint_id"
        case apiKey = "api_key", apiBase = "api_base", requestTimeoutSeconds = "request_timeout_seconds"
        case maxRetries = "max_retries", endpointCheckIntervalSeconds = "endpoint_check_interval_seconds"
        case catchUp = "catch_up"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "stripe")
        apiKey = try c.decodeIfPresent(String.self, forKey: .apiKey)
        apiBase = try c.decodeIfPresent(String.self, forKey: .apiBase)
        requestTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds)
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries)
        endpointCheckIntervalSeconds = try c.decodeIfPresent(Int.self, forKey: .endpointCheckIntervalSeconds)
        catchUp = try c.decodeIfPresent(CatchUpSettings.self, forKey: .catchUp)
        webhookEndpointID = try c.decodeIfPresent(String.self, forKey: .webhookEndpointID)
    }

    /// Applies the present keys on top of `configuration`.
    func apply(to configuration: inout StripeConfiguration) {
        if let v = apiKey { configuration.apiKey = SecretReference(parsing: v, label: "stripe.api_key") }
        if let v = apiBase { configuration.apiBase = v }
        if let v = requestTimeoutSeconds { configuration.requestTimeoutSeconds = v }
        if let v = maxRetries { configuration.maxRetries = v }
        if let v = endpointCheckIntervalSeconds { configuration.endpointCheckIntervalSeconds = v }
        if let v = webhookEndpointID { configuration.webhookEndpointID = v }
        if let settings = catchUp {
            var catchUp = configuration.catchUp ?? StripeConfiguration.CatchUp()
            if let v = settings.intervalSeconds { catchUp.intervalSeconds = v }
            if let v = settings.lookBack { catchUp.lookBack = v }
            configuration.catchUp = catchUp
        }
    }
}

/// The `stripe.catch_up` object.
struct CatchUpSettings: Decodable {
    var intervalSeconds: Int?
    var lookBack: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case intervalSeconds = "interval_seconds", lookBack = "look_back"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, in: decoder, context: "stripe.catch_up")
        intervalSeconds = try c.decodeIfPresent(Int.self, forKey: .intervalSeconds)
        lookBack = try c.decodeIfPresent(String.self, forKey: .lookBack)
    }
}
