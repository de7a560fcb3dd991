import Foundation
import Testing
@testable import WebhookDaemon

/// The `stripe` settings: what the config file accepts and what it refuses, by name.
struct StripeConfigurationTests {
    static func load(_ json: String) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        try configuration.apply(configJSON: Data(json.utf8), source: "test.json")
        try configuration.validate()
        return configuration
    }

    @Test func fullSection_isRead() throws {
        let configuration = try Self.load("""
            {"secrets": ["whsec_x"], "stripe": {"api_key": "env:STRIPE_API_KEY", "api_base": "http://127.0.0.1:9", "max_retries": 2,
             "request_timeout_seconds": 5, "endpoint_check_interval_seconds": 60, "webhook_endpoint_id": "we_123",
             "catch_up": {"interval_seconds": 600, "look_back": "3d"}}}
            """)
        #expect(configuration.stripe.apiKey == SecretReference(parsing: "env:STRIPE_API_KEY", label: "stripe.api_key"))
        #expect(configuration.stripe.maxRetries == 2 && configuration.stripe.endpointCheckIntervalSeconds == 60)
        #expect(configuration.stripe.catchUp?.lookBack == "3d" && configuration.stripe.catchUp?.intervalSeconds == 600)
        #expect(configuration.watchedEndpoints == [.init(path: "/webhook", id: "we_123")])
        // check-config prints the reference, never a value.
        let rendered = configuration.rendered().jsonText
        #expect(rendered.contains("env:STRIPE_API_KEY") && rendered.contains("we_123"))
    }

    @Test func defaults_areOff() throws {
        let configuration = try Self.load(#"{"secrets": ["whsec_x"]}"#)
        #expect(configuration.stripe.apiKey == nil && configuration.stripe.catchUp == nil && configuration.watchedEndpoints.isEmpty)
        #expect(configuration.stripe.endpointCheckIntervalSeconds == 300 && configuration.stripe.apiBase == "https://api.stripe.com")
    }

    @Test(arguments: [
        (#"{"secrets": ["whsec_x"], "stripe": {"api_kee": "x"}}"#, #"stripe: unknown key "api_kee""#),
        (#"{"secrets": ["whsec_x"], "stripe": {"catch_up": {}}}"#, "stripe.catch_up needs stripe.api_key"),
        (#"{"secrets": ["whsec_x"], "stripe": {"webhook_endpoint_id": "we_1"}}"#, "webhook_endpoint_id needs stripe.api_key"),
        (#"{"secrets": ["whsec_x"], "stripe": {"api_key": "env:K", "webhook_endpoint_id": "whsec_1"}}"#, "is not a Stripe webhook endpoint id"),
        (#"{"secrets": ["whsec_x"], "stripe": {"api_key": "env:K", "api_base": "http://10.1.2.3"}}"#, "plain http is accepted only for loopback"),
        (#"{"secrets": ["whsec_x"], "stripe": {"api_key": "env:K", "catch_up": {"look_back": "45d"}}}"#, "longer than the 30 days"),
        (#"{"secrets": ["whsec_x"], "stripe": {"api_key": "env:K", "catch_up": {"look_back": "soon"}}}"#, "is not a duration"),
        (#"{"secrets": ["whsec_x"], "stripe": {"endpoint_check_interval_seconds": 0}}"#, "endpoint_check_interval_seconds: must be a positive number"),
        (#"{"endpoints": [{"path": "/a", "secrets": ["whsec_x"], "webhook_endpoint_id": "we_1"}], "stripe": {"api_key": "env:K", "webhook_endpoint_id": "we_2"}}"#, "give each entry its own webhook_endpoint_id"),
    ])
    func badSettings_areRefusedByName(json: String, message: String) {
        #expect {
            _ = try Self.load(json)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(message) == true
        }
    }

    @Test func key_mustResolve_andLookLikeAStripeKey() throws {
        let configuration = try Self.load(#"{"secrets": ["whsec_x"], "stripe": {"api_key": "env:STRIPE_API_KEY"}}"#)
        #expect(throws: ConfigurationError.self) { try configuration.stripe.apiOptions(environment: [:]) }
        do {
            _ = try configuration.stripe.apiOptions(environment: ["STRIPE_API_KEY": "pk_test_publishable123"])
            Issue.record("a publishable key was accepted")
        } catch {
            #expect(error.message.contains("not a Stripe secret or restricted key") && !error.message.contains("pk_test_publishable123"))
        }
        #expect(try configuration.stripe.apiOptions(environment: ["STRIPE_API_KEY": "rk_live_abc"]).keyMode == .live)
    }
}
