import Foundation
import EventStore
import Testing

@Suite struct StoreLocationTests {
    @Test(arguments: [
        ("memory", StoreLocation.memory),
        ("MEMORY", .memory),
        (" memory ", .memory),
        ("sqlite:", .sqlite(path: "stripe-webhookd.sqlite")),
        ("sqlite:events.db", .sqlite(path: "events.db")),
        ("sqlite:/var/lib/stripe-webhookd/events.sqlite", .sqlite(path: "/var/lib/stripe-webhookd/events.sqlite")),
        ("sqlite:///var/lib/x.sqlite", .sqlite(path: "/var/lib/x.sqlite")),
        ("sqlite:./data/events.sqlite", .sqlite(path: "./data/events.sqlite")),
    ])
    func validSettings_parse(text: String, expected: StoreLocation) throws {
        #expect(try StoreLocation(parsing: text) == expected)
    }

    @Test(arguments: [
        "postgres://webhookd:s3cret@db/events", "postgresql://webhookd:s3cret@db:5433/events?sslmode=require",
        " postgres://webhookd@db/events ", "postgres://db/events",
    ])
    func postgresURLs_parse_andTheirDescriptionHidesThePassword(text: String) throws {
        let location = try StoreLocation(parsing: text)
        guard case .postgres(let url) = location else {
            Issue.record("\(text) parsed as \(location)")
            return
        }
        #expect(url == text.trimmingCharacters(in: .whitespaces))
        #expect(!location.description.contains("s3cret"))
        #expect(location.description.contains("db"))
    }

    @Test(arguments: [
        ("postgres://webhookd:s3cret@db/events", "postgres://webhookd:***@db/events"),
        ("postgres://u:p%40ss@word@db/e?sslmode=require&password=s3cret", "postgres://u:***@db/e?sslmode=require&password=***"),
        ("postgres://webhookd@db/events", "postgres://webhookd@db/events"),
    ])
    func redacted_blanksEveryPassword_butKeepsTheUserAndHost(text: String, expected: String) {
        #expect(StoreLocation.redacted(text) == expected)
    }

    @Test(arguments: ["postgres://webhookd:s3cret@db", "postgres://webhookd:s3cret@db/", "postgresql://db/?sslmode=require"])
    func postgresURLWithoutADatabase_isRejected_withoutThePassword(text: String) {
        let error = #expect(throws: EventStoreError.self) { try StoreLocation(parsing: text) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("s3cret") == false)
        #expect(error?.message.contains("/DB") == true)
    }

    @Test(arguments: ["", "events.sqlite", "mysql://db", "sqlite://host/events.sqlite", "file:events.sqlite"])
    func otherSettings_areRejected_sayingWhatWorks(text: String) {
        let error = #expect(throws: EventStoreError.self) { try StoreLocation(parsing: text) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("sqlite:") == true)
    }

    @Test(arguments: [StoreLocation.memory, .sqlite(path: "/tmp/e.sqlite"), .sqlite(path: "rel.db")])
    func description_parsesBack(location: StoreLocation) throws {
        #expect(try StoreLocation(parsing: location.description) == location)
    }
}
