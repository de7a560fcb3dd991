@testable import EventStore
import Foundation
import WebhookSupport
import Testing
@testable import WebhookDaemon

/// The test PostgreSQL server (scripts/postgres-cluster.sh), when this run has one.
enum TestPostgreSQLServer {
    /// Its URL.
    static let url = ProcessInfo.processInfo.environment["STRIPE_WEBHOOKD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

/// Daemons on a PostgreSQL store, as an operator runs them: two instances share one database, each
/// receives events, `events list` on either shows all of them; the password never shows.
@Suite(.serialized, .disabled(if: TestPostgreSQLServer.url == nil, "STRIPE_WEBHOOKD_TEST_POSTGRES_URL is unset: PostgreSQL daemon tests skipped (scripts/test.sh sets it)"))
struct PostgreSQLStoreTests {
    /// A new empty database on the test server; returns its URL and a function that drops it.
    static func freshDatabase() throws -> (url: String, drop: () -> Void) {
        let server = try #require(TestPostgreSQLServer.url)
        let name = "webhookd_daemon_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        func administer(_ sql: String) throws {
            let connection = try PostgreSQLConnection(parameters: [("dbname", server)], label: "test server", setup: "SET client_min_messages = warning")
            defer { connection.close() }
            try connection.execute(sql)
        }
        try administer("CREATE DATABASE \(name)")
        let base = server.firstIndex(of: "?").map { String(server[..<$0]) } ?? server
        let url = String(base[...base.lastIndex(of: "/")!]) + name
        return (url, { try? administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }

    /// The password in `url`.
    static func password(in url: String) -> String {
        let credentials = url.split(separator: "@").first.map(String.init) ?? ""
        return String(credentials.split(separator: ":").last ?? "")
    }

    @Test func twoDaemonsOnOneDatabase_eachReceives_andEventsListOnEitherShowsAll() throws {
        let database = try Self.freshDatabase()
        defer { database.drop() }
        let first = try RunningDaemon(store: database.url) { $0.workers = 2 }
        defer { first.stop() }
        let second = try RunningDaemon(store: database.url) { $0.workers = 2 }
        defer { second.stop() }
        var ids: [String] = []
        for index in 0..<6 {
            let daemon = index.isMultiple(of: 2) ? first : second
            let body = TestSupport.event("invoice.paid", object: ["id": "in_shared_\(index % 2)", "object": "invoice"])
            let response = try daemon.post(body)
            #expect(response.status == 200)
            ids.append(TestSupport.eventID(of: body))
        }
        // The same event delivered to the other instance is a duplicate, answered 200 and stored once.
        let again = TestSupport.event("invoice.paid", object: ["id": "in_shared_0", "object": "invoice"])
        #expect(try first.post(again).status == 200)
        #expect(try second.post(again, signature: TestSupport.sign(again, secret: second.secret)).status == 200)
        ids.append(TestSupport.eventID(of: again))

        let listed = try CommandLineTests.run(["events", "list", "--store", database.url, "--limit", "100"])
        #expect(listed.status == 0, "\(listed.err)")
        for id in ids { #expect(listed.out.contains(id), "events list misses \(id)") }
        #expect(!listed.out.contains(Self.password(in: database.url)))
        let counted = TestSupport.eventually(20) {
            (try? CommandLineTests.run(["events", "list", "--store", database.url, "--status", "done", "--limit", "100"]))
                .map { run in ids.allSatisfy { run.out.contains($0) } } ?? false
        }
        #expect(counted, "every event is handled by one of the two daemons")
        let password = Self.password(in: database.url)
        #expect(first.log.lines.allSatisfy { !$0.contains(password) }, "\(first.log.lines.filter { $0.contains(password) })")
        #expect(second.log.lines.allSatisfy { !$0.contains(password) })
        let metrics = try OperationsTests.get("/metrics", port: first.port)
        #expect(metrics.status == 200)
        #expect(!metrics.body.contains(password))
        let ready = try OperationsTests.get("/readyz", port: second.port)
        #expect(ready.status == 200, "\(ready.body)")
    }

    @Test func checkConfig_showsTheStoreWithoutItsPassword_andResolvesAPasswordReference() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.json")
        try Data(#"{"secrets": ["whsec_x"], "store": "postgres://webhookd:s3cretvalue@db.internal:5432/webhookd?sslmode=require", "claim_lease_seconds": 45}"#.utf8).write(to: config)
        let literal = try CommandLineTests.run(["check-config", "--config", config.path])
        #expect(literal.status == 0, "\(literal.err)")
        #expect(!(literal.out + literal.err).contains("s3cretvalue"))
        #expect(literal.out.contains("postgres://webhookd:***@db.internal:5432/webhookd?sslmode=require"))
        #expect(literal.out.contains("\"claim_lease_seconds\": 45") || literal.out.contains("\"claim_lease_seconds\" : 45"))

        try Data(#"{"secrets": ["whsec_x"], "store": "postgres://webhookd:env:WEBHOOKD_DB_PASSWORD@db.internal/webhookd"}"#.utf8).write(to: config)
        let unset = try CommandLineTests.run(["check-config", "--config", config.path])
        #expect(unset.status != 0)
        #expect(unset.err.contains("WEBHOOKD_DB_PASSWORD") || unset.out.contains("WEBHOOKD_DB_PASSWORD"))
        let set = try CommandLineTests.run(["check-config", "--config", config.path], environment: ["WEBHOOKD_DB_PASSWORD": "fromtheenvironment"])
        #expect(set.status == 0, "\(set.err)")
        #expect(!(set.out + set.err).contains("fromtheenvironment"))
    }

    @Test func aPasswordReference_isResolvedWhenTheDaemonConnects() throws {
        let database = try Self.freshDatabase()
        defer { database.drop() }
        let password = Self.password(in: database.url)
        let referenced = database.url.replacingOccurrences(of: ":\(password)@", with: ":env:TEST_DB_PASSWORD@")
        let daemon = try RunningDaemon(store: referenced, environment: ["TEST_DB_PASSWORD": password])
        defer { daemon.stop() }
        let body = TestSupport.event("customer.created", object: ["id": "cus_ref", "object": "customer"])
        #expect(try daemon.post(body).status == 200)
        #expect(daemon.lines(containing: "event store opened").first?.contains("env:TEST_DB_PASSWORD") == false)
    }

    @Test func eventsCopy_movesAnSQLiteStoreWithStatusesRunsAndKeys_andASecondRunCopiesNothing() async throws {
        let database = try Self.freshDatabase()
        defer { database.drop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        let quiet = Logger(label: "t", level: .critical, sink: LogCaptureSink.discard)
        let sqlite = try SQLiteEventStore(path: path, logger: quiet)
        func record(_ id: String, object: String) -> EventRecord {
            EventRecord(
                id: id, type: "invoice.paid", objectID: object, created: 1_700_000_000, livemode: false, account: nil, apiVersion: nil,
                body: Array(#"{"id":"\#(id)"}"#.utf8), receivedAt: 1_000, verifiedBy: nil)
        }
        for (id, object) in [("evt_done", "in_1"), ("evt_failed", "in_2"), ("evt_retry", "in_3"), ("evt_new", "in_4")] {
            #expect(try await sqlite.insert(record(id, object: object)) == .stored)
        }
        let run = HandlerRun(handler: "crm", attempt: 1, startedAt: 2_000, finishedAt: 2_010, succeeded: true, error: nil, output: "ok")
        let claimed = try sqlite.claimDue(now: 5_000, limit: 3).map(\.event.id)
        #expect(claimed == ["evt_done", "evt_failed", "evt_retry"])
        #expect(sqlite.report([
            EventOutcome(eventID: "evt_done", runs: [run], ending: .done, now: 5_001),
            EventOutcome(eventID: "evt_failed", runs: [], ending: .failed(error: "gave up"), now: 5_001),
            EventOutcome(eventID: "evt_retry", runs: [], ending: .retry(at: 9_000, error: "later"), now: 5_001),
        ]) == [nil, nil, nil])
        #expect(try sqlite.claimHandlerKey(handler: "crm", key: "order_1", eventID: "evt_done", now: 5_002) == "evt_done")
        sqlite.close()

        let first = try CommandLineTests.run(["events", "copy", "--from", "sqlite:\(path)", "--to", database.url])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("copied 4 events (1 handler runs, 1 dedupe keys)"), "\(first.out)")
        #expect(!first.out.contains(Self.password(in: database.url)))
        let second = try CommandLineTests.run(["events", "copy", "--from", "sqlite:\(path)", "--to", database.url])
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out.contains("copied 0 events (0 handler runs, 0 dedupe keys)") && second.out.contains("4 already there"), "\(second.out)")

        let postgres = try PostgreSQLEventStore(url: database.url, logger: quiet, options: .init(readOnly: true))
        defer { postgres.close() }
        #expect(try postgres.event(id: "evt_done")?.status == .done)
        #expect(try postgres.event(id: "evt_done")?.handlers == [HandlerRun(
            handler: "crm", attempt: 1, startedAt: 2_000, finishedAt: 2_010, succeeded: true, error: nil, output: "ok", replay: 0)])
        #expect(try postgres.event(id: "evt_failed")?.status == .failed)
        #expect(try postgres.event(id: "evt_failed")?.lastError == "gave up")
        let retry = try #require(try postgres.event(id: "evt_retry"))
        #expect(retry.status == .pending && retry.nextAttemptAt == 9_000 && retry.attempts == 1 && retry.claimedBy == nil)
        #expect(try postgres.event(id: "evt_new")?.record.body == Array(#"{"id":"evt_new"}"#.utf8))
        let writer = try PostgreSQLEventStore(url: database.url, logger: quiet)
        defer { writer.close() }
        #expect(try writer.claimHandlerKey(handler: "crm", key: "order_1", eventID: "evt_new", now: 6_000) == "evt_done")
    }
}
