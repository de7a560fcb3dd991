import EventStore
import Foundation
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Endpoints with their own secrets, and SIGHUP reloads against the real binary.
@Suite(.serialized)
struct ReloadTests {
    @Test func eachEndpoint_verifiesWithItsOwnSecrets_andTheRecordNamesTheLabel() throws {
        let daemon = try RunningDaemon(environment: ["ACCOUNT_SECRET": "whsec_account", "CONNECT_SECRET": "whsec_connect"]) { configuration in
            configuration.secrets = []
            configuration.endpoints = [
                EndpointConfiguration(path: "/webhook", secrets: [SecretReference(parsing: "env:ACCOUNT_SECRET", label: "account")]),
                EndpointConfiguration(path: "/webhook/connect", secrets: [SecretReference(parsing: "env:CONNECT_SECRET", label: "connect")], toleranceSeconds: 60),
            ]
        }
        defer { daemon.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        func post(_ path: String, secret: String, at timestamp: Int64 = now) throws -> (Int, String) {
            let id = SampleEvents.freshEventID()
            let body = SampleEvents.payload(for: "customer.created", eventID: id)!
            let response = try daemon.post(body, signature: TestSupport.sign(body, secret: secret, at: timestamp), path: path)
            return (response.status, id)
        }
        let (accountStatus, accountID) = try post("/webhook", secret: "whsec_account")
        let (connectStatus, connectID) = try post("/webhook/connect", secret: "whsec_connect")
        #expect(accountStatus == 200 && connectStatus == 200)
        #expect(try post("/webhook", secret: "whsec_connect").0 == 400)
        #expect(try post("/webhook/connect", secret: "whsec_account").0 == 400)
        #expect(try post("/webhook/other", secret: "whsec_account").0 == 404)
        // Each endpoint has its own tolerance: 120 s old is fine on /webhook (300), not on /webhook/connect (60).
        #expect(try post("/webhook", secret: "whsec_account", at: now - 120).0 == 200)
        #expect(try post("/webhook/connect", secret: "whsec_connect", at: now - 120).0 == 400)
        #expect(daemon.waitForEvent(accountID, status: .done)?.record.verifiedBy == "account")
        #expect(daemon.waitForEvent(connectID, status: .done)?.record.verifiedBy == "connect")
        #expect(!daemon.lines(containing: "event stored", "endpoint=/webhook/connect", "secret.label=connect").isEmpty)
    }

    /// A config file with one endpoint whose secrets are `secrets` (value, label) and `extra` top-level JSON.
    static func writeConfig(_ url: URL, secrets: [(String, String)], database: String, extra: String = "") throws {
        let list = secrets.map { #"{"value": "\#($0.0)", "label": "\#($0.1)"}"# }.joined(separator: ", ")
        try Data(#"{"store": "sqlite:\#(database)", "secrets": [\#(list)]\#(extra)}"#.utf8).write(to: url)
    }

    @Test func sighupAddingASecret_appliesOnAnOpenKeepAliveConnection_andABadConfigIsRefused() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.json")
        let database = directory.appendingPathComponent("events.sqlite").path
        let rolled = directory.appendingPathComponent("rolled-secret")
        try Data("whsec_rolled_2026\n".utf8).write(to: rolled)
        try Self.writeConfig(config, secrets: [("env:CURRENT_SECRET", "current")], database: database)
        let daemon = try DaemonProcess(["--config", config.path], environment: ["CURRENT_SECRET": "whsec_current_2025"])
        defer { daemon.stop() }

        let connection = try TestHTTPClient(port: daemon.port)
        func post(secret: String) throws -> (status: Int, id: String, closing: Bool) {
            let id = SampleEvents.freshEventID()
            let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!
            try connection.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: secret)))
            let response = try #require(try connection.readResponse(), "the connection was closed")
            return (response.status, id, response.header("Connection")?.lowercased() == "close")
        }
        #expect(try post(secret: "whsec_current_2025").status == 200)
        #expect(try post(secret: "whsec_rolled_2026").status == 400)

        // Add the rolled secret (from a file, with a label) and a handler; reload.
        let marker = directory.appendingPathComponent("handled")
        let script = try TestSupport.script("after-reload.sh", in: directory, "echo $STRIPE_EVENT_ID >> \(marker.path)")
        try Self.writeConfig(config, secrets: [("env:CURRENT_SECRET", "current"), ("file:\(rolled.path)", "rolled-2026")], database: database, extra: """
            , "workers": 7, "handlers": [{"name": "after-reload", "events": ["payment_intent.succeeded"], "command": ["\(script)"]}]
            """)
        daemon.send(SIGHUP)
        #expect(TestSupport.eventually { daemon.count("configuration reloaded") == 1 })
        let afterReload = try post(secret: "whsec_rolled_2026")
        #expect(afterReload.status == 200 && !afterReload.closing, "the new secret did not apply on the open connection")
        #expect(try post(secret: "whsec_current_2025").status == 200)
        #expect(daemon.log.text.contains("endpoint ready endpoint=/webhook secret.labels=current,rolled-2026"))
        // A change of workers needs a restart: the log says so.
        #expect(daemon.log.text.contains("apply only after a restart were not applied: workers"))
        let show = try CommandLineTests.run(["events", "show", afterReload.id, "--json", "--store", "sqlite:\(database)"])
        #expect(show.out.contains(#""verified_by":"rolled-2026""#))
        #expect(TestSupport.eventually { ((try? String(contentsOf: marker, encoding: .utf8)) ?? "").contains(afterReload.id) })

        // A bad config is refused with a line naming the key; the old configuration keeps serving.
        try Data(#"{"store": "sqlite:\#(database)", "secrets": ["env:CURRENT_SECRET"], "handlers": [{"name": "x", "events": ["invoice.*"], "comand": ["/bin/true"]}]}"#.utf8).write(to: config)
        daemon.send(SIGHUP)
        #expect(TestSupport.eventually { daemon.count("configuration reload refused") == 1 })
        #expect(daemon.log.text.contains(#"handlers[0]: unknown key \"comand\""#) || daemon.log.text.contains(#"handlers[0]: unknown key "comand""#), "\(daemon.log.text)")
        let afterRefusal = try post(secret: "whsec_rolled_2026")
        #expect(afterRefusal.status == 200 && !afterRefusal.closing)

        // A secret that cannot be read is refused too, naming it but never a value.
        try FileManager.default.removeItem(at: rolled)
        try Self.writeConfig(config, secrets: [("env:CURRENT_SECRET", "current"), ("file:\(rolled.path)", "rolled-2026")], database: database)
        daemon.send(SIGHUP)
        #expect(TestSupport.eventually { daemon.count("configuration reload refused") == 2 })
        #expect(daemon.log.text.contains("file:\(rolled.path): cannot read the file"))
        #expect(try post(secret: "whsec_rolled_2026").status == 200)
        #expect(!daemon.log.text.contains("whsec_rolled_2026") && !daemon.log.text.contains("whsec_current_2025"))
    }
}
