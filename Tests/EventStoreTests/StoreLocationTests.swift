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

    @Test func postgres_isNotSupportedYet_andThePasswordIsNotEchoed() {
        let error = #expect(throws: EventStoreError.self) { try StoreLocation(parsing: "postgres://webhookd:s3cret@db/events") }
        #expect(error?.kind == .unsupported)
        #expect(error?.message.contains("not supported yet") == true)
        #expect(error?.message.contains("s3cret") == false)
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
