import Foundation
import Testing
@testable import WebhookDaemon

/// `claim_lease_seconds`: the lease of a PostgreSQL store's claims, from the config file, checked.
@Suite struct ClaimLeaseConfigurationTests {
    /// Loads a config file holding `json`.
    static func load(_ json: String) throws -> DaemonConfiguration {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: file)
        var configuration = DaemonConfiguration()
        try configuration.apply(configFile: file.path)
        return configuration
    }

    @Test func defaultsToThirtySeconds_andTheFileSetsIt() throws {
        #expect(DaemonConfiguration().claimLeaseSeconds == 30)
        #expect(try Self.load(#"{"claim_lease_seconds": 45}"#).claimLeaseSeconds == 45)
    }

    @Test(arguments: [0, 1, 86_401])
    func leasesTooShortOrTooLong_areRefused_namingTheKey(seconds: Int) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try Data(#"{"secrets": ["whsec_x"], "store": "memory", "claim_lease_seconds": \#(seconds)}"#.utf8).write(to: file)
        let run = try CommandLineTests.run(["check-config", "--config", file.path])
        #expect(run.status == 2)
        #expect((run.out + run.err).contains("claim_lease_seconds: must be 2–86400"))
    }
}
