import Foundation
import StripeWebhooks
import Testing
@testable import WebhookDaemon

/// Endpoint `payload` styles and the thin-era handler settings in the config file.
extension HandlerConfigurationTests {
    @Test func endpointPayload_defaultsToSnapshot_andTakesThin() throws {
        let configuration = try DaemonConfigurationTests.load(#"""
            {"endpoints": [{"path": "/webhook", "secrets": ["whsec_a"]},
                           {"path": "/webhook/thin", "secrets": ["whsec_b"], "payload": "thin"},
                           {"path": "/webhook/old", "secrets": ["whsec_c"], "payload": "snapshot"}]}
            """#)
        #expect(configuration.endpoints.map(\.payload) == [.snapshot, .thin, .snapshot])
        let rendered = configuration.rendered()
        #expect(rendered["endpoints"]?[1]?["payload"]?.stringValue == "thin")
        #expect(rendered["endpoints"]?[0]?["payload"]?.stringValue == "snapshot")
    }

    @Test(arguments: [
        (#"{"endpoints": [{"path": "/t", "secrets": ["whsec_a"], "payload": "v2"}]}"#, #"endpoints[0].payload: "v2" is not a payload style; expected "snapshot" (the default) or "thin""#),
        (#"{"endpoints": [{"path": "/t", "secrets": ["whsec_a"], "payload": true}]}"#, "endpoints[0].payload"),
        (withHandlers(#"{"name": "a", "events": ["v1.invoice.paid"], "command": ["/bin/true"], "dedupe_key": {"v1.invoice.paid": "snapshot_event||id"}}"#), #"dedupe_key.v1.invoice.paid: "snapshot_event||id" is not a JSON path"#),
        (withHandlers(#"{"name": "a", "events": ["v1.invoice.paid"], "command": ["/bin/true"], "environment": {"STRIPE_RELATED_OBJECT_ID": "x"}}"#), "STRIPE_RELATED_OBJECT_ID"),
    ])
    func badThinSetting_isRefusedNamingTheKey(json: String, message: String) {
        #expect {
            let configuration = try DaemonConfigurationTests.load(json)
            try configuration.validate()
        } throws: { error in
            ((error as? ConfigurationError)?.message ?? "").contains(message)
        }
    }

    @Test func dedupeKeyAlternatives_areValid() throws {
        let configuration = try DaemonConfigurationTests.load(Self.withHandlers(#"""
            {"name": "a", "events": ["invoice.paid", "v1.invoice.paid"], "command": ["/bin/true"],
             "dedupe_key": {"invoice.paid": "id", "v1.invoice.paid": "snapshot_event|id"}}
            """#))
        try configuration.validate()
        #expect(configuration.handlers.first?.dedupeKey["v1.invoice.paid"] == "snapshot_event|id")
    }
}

extension HandlerConfigurationTests {
    @Test func thinTypesAndPatterns_drawNoUnknownTypeWarning_butTyposStillDo() throws {
        let configuration = try DaemonConfigurationTests.load(Self.withHandlers(#"""
            {"name": "a", "events": ["v2.core.account.*", "v1.billing.meter.error_report_triggered", "v2.core.event_destination.ping",
                                     "v2.core.account[configuration.merchant].updated", "v1.invoice.paid", "v2.core.acount.updated"],
             "command": ["/bin/true"]}
            """#))
        try configuration.validate()
        let warnings = configuration.eventTypeWarnings()
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains(#""v2.core.acount.updated" is not a Stripe event type; did you mean v2.core.account.updated?"#) == true, "\(warnings)")
    }
}
