import Foundation
import Testing
@testable import WebhookDaemon

/// A PostgreSQL store URL whose password is an `env:`/`file:` reference: taken out of the URL and
/// resolved apart, never shown.
@Suite struct PostgreSQLStoreSettingTests {
    @Test(arguments: [
        ("postgres://webhookd:env:DB_PASSWORD@db/webhookd", "postgres://webhookd@db/webhookd", "env:DB_PASSWORD"),
        ("postgresql://u:file:/run/secrets/db@db:5433/w?sslmode=require", "postgresql://u@db:5433/w?sslmode=require", "file:/run/secrets/db"),
        ("postgres://webhookd:literal@db/webhookd", "postgres://webhookd:literal@db/webhookd", nil),
        ("postgres://webhookd@db/webhookd", "postgres://webhookd@db/webhookd", nil),
        ("postgres://db/webhookd", "postgres://db/webhookd", nil),
    ] as [(String, String, String?)])
    func passwordReferences_leaveTheURL_literalPasswordsStay(url: String, expectedURL: String, reference: String?) {
        let setting = PostgreSQLStoreSetting(url: url)
        #expect(setting.url == expectedURL)
        #expect(setting.password?.description == reference)
    }

    @Test func references_resolveFromTheEnvironmentOrAFile_andErrorsNameOnlyTheReference() throws {
        let fromEnvironment = PostgreSQLStoreSetting(url: "postgres://webhookd:env:DB_PASSWORD@db/webhookd")
        #expect(try fromEnvironment.resolvedPassword(environment: ["DB_PASSWORD": "s3cret"]) == "s3cret")
        let missing = #expect(throws: ConfigurationError.self) { try fromEnvironment.resolvedPassword(environment: [:]) }
        #expect(missing?.message.contains("DB_PASSWORD") == true)

        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("db-password")
        try Data("fromafile\n".utf8).write(to: file)
        let fromFile = PostgreSQLStoreSetting(url: "postgres://webhookd:file:\(file.path)@db/webhookd")
        #expect(try fromFile.resolvedPassword(environment: [:]) == "fromafile")
        #expect(PostgreSQLStoreSetting(url: "postgres://webhookd:plain@db/webhookd").password == nil)
    }
}
