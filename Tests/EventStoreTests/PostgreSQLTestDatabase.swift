import Foundation
@testable import EventStore
import Testing
import WebhookSupport

/// A database of its own on the test PostgreSQL server (`scripts/postgres-cluster.sh` starts one and
/// sets `STRIPE_WEBHOOKD_TEST_POSTGRES_URL`), created for one test and dropped after it.
struct PostgreSQLTestDatabase: Sendable {
    /// The test server's URL, when this run has one.
    static let serverURL: String? = {
        let url = ProcessInfo.processInfo.environment["STRIPE_WEBHOOKD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil {
            FileHandle.standardError.write(Data("""
                ⚠️  STRIPE_WEBHOOKD_TEST_POSTGRES_URL is unset: the PostgreSQL store is NOT tested in this run \
                (scripts/test.sh starts a throwaway server; or run scripts/postgres-cluster.sh swift test)\n
                """.utf8))
        }
        return url
    }()

    /// Why PostgreSQL tests are skipped, for `.disabled(if:)`.
    static let skipReason: Comment = "STRIPE_WEBHOOKD_TEST_POSTGRES_URL is unset: PostgreSQL store tests skipped (scripts/test.sh sets it)"

    /// The database's name.
    let name: String
    /// Its URL.
    let url: String

    /// Creates a fresh, empty database.
    init() throws {
        guard let server = Self.serverURL else { throw EventStoreError(.unavailable, "no test PostgreSQL server") }
        name = "webhookd_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        url = Self.replacingDatabase(in: server, with: name)
        try Self.administer(server) { connection throws(EventStoreError) in try connection.execute("CREATE DATABASE \(name)") }
    }

    /// Opens a store on the database as a new instance.
    func open(logger: Logger, options: PostgreSQLEventStore.Options = .init()) throws -> PostgreSQLEventStore {
        try PostgreSQLEventStore(url: url, logger: logger, options: options)
    }

    /// Makes every claim's lease lapse (as time would after an instance died).
    func expireLeases() throws {
        try Self.administer(url) { connection throws(EventStoreError) in
            try connection.execute("UPDATE event_states SET claim_expires_at = 0 WHERE claimed_by IS NOT NULL")
        }
    }

    /// Runs SQL on the database directly (what another tool or an operator would do).
    func execute(_ sql: String) throws {
        try Self.administer(url) { connection throws(EventStoreError) in try connection.execute(sql) }
    }

    /// Runs a query on the database directly and returns the first column of each row.
    func values(_ sql: String) throws -> [String?] {
        var values: [String?] = []
        try Self.administer(url) { connection throws(EventStoreError) in values = try connection.query(sql).map { $0.optionalText(0) } }
        return values
    }

    /// Drops the database, disconnecting anyone still on it.
    func drop() {
        guard let server = Self.serverURL else { return }
        try? Self.administer(server) { connection throws(EventStoreError) in try connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }

    /// `url` naming database `name` instead of its own.
    static func replacingDatabase(in url: String, with name: String) -> String {
        let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        let base = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        guard let slash = base.lastIndex(of: "/") else { return url }
        return String(base[...slash]) + name + query
    }

    /// Runs `body` on a short-lived connection to `url`.
    private static func administer(_ url: String, _ body: (PostgreSQLConnection) throws(EventStoreError) -> Void) throws {
        let connection = try PostgreSQLConnection(parameters: [("dbname", url)], label: "test server", setup: "SET client_min_messages = warning")
        defer { connection.close() }
        try body(connection)
    }
}
