/// A handler's dedupe key value, the key of `MemoryEventStore.handlerKeys`.
struct MemoryHandlerKey: Hashable, Sendable {
    /// The handler's name.
    let handler: String
    /// The key's value.
    let key: String
}

extension MemoryEventStore {
    /// Claims a handler's dedupe key for an event (see `EventStore.claimHandlerKey`). A key whose
    /// holder was pruned is free again, as in the SQLite store, where the key is deleted with it.
    public func claimHandlerKey(handler: String, key: String, eventID: String, now: Int64) throws(EventStoreError) -> String {
        guard try event(id: eventID) != nil else {
            throw EventStoreError(.notFound, "cannot claim a dedupe key for event \(eventID): no such event")
        }
        let id = MemoryHandlerKey(handler: handler, key: key)
        // Lock order: `handlerKeys`, then the contents (inside `event(id:)`); nothing takes them the other way.
        let result: Result<String, EventStoreError> = handlerKeys.withLock { keys in
            Result { () throws(EventStoreError) -> String in
                if let holder = keys[id], holder != eventID, try event(id: holder) != nil { return holder }
                keys[id] = eventID
                return eventID
            }
        }
        return try result.get()
    }
}
