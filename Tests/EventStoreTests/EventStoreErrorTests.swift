import EventStore
import Testing

@Suite struct EventStoreErrorTests {
    @Test func description_namesTheKindTheContextAndTheSQLiteCode() {
        let error = EventStoreError(.unavailable, "a batch of 3 writes was rolled back: database is locked", sqliteCode: 5)
        #expect(error.description == "event store: unavailable: a batch of 3 writes was rolled back: database is locked [SQLite 5]")
        #expect(EventStoreError(.notFound, "no event evt_1").description == "event store: not found: no event evt_1")
    }

    @Test(arguments: [
        (EventStoreError.Kind.unavailable, true), (.readOnly, false), (.notFound, false), (.notClaimed, false),
        (.invalidArgument, false), (.schema, false), (.unsupported, false),
    ])
    func onlyUnavailable_isRetryable(kind: EventStoreError.Kind, retryable: Bool) {
        #expect(EventStoreError(kind, "x").isRetryable == retryable)
    }
}
