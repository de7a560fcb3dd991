import Dispatch
import EventStore
import Foundation
import StripeAPI
import StripeWebhooks
import WebhookSupport

/// Lists Stripe's Events API and stores every event the store lacks, through the same `insert` as a
/// delivery (an id already stored is counted and skipped), oldest first, so that the dispatcher runs
/// their handlers once each, in order per object. Blocks its thread: run it from a command's main
/// thread or the daemon's catch-up thread.
struct EventCatchUp {
    /// The API client.
    let client: StripeAPIClient

    /// Fetches the events created at or after `since` (Unix seconds) matching `pattern`, oldest first.
    func fetch(since: Int64, pattern: EventTypePattern?) throws(StripeAPIError) -> [ListedEvent] {
        var query = EventListQuery(createdSince: since)
        // The API's `type` filter takes one type or one `prefix.*` wildcard, like our patterns;
        // `*` is no filter. The pattern is applied here too, so a looser server filter cannot widen it.
        if let pattern, pattern.description != "*" { query.type = pattern.description }
        let events = try client.listEvents(query)
        return events.filter { pattern?.matches($0.event.type.rawValue) ?? true }
    }

    /// Stores `events` (oldest first) into `store`, or with `dryRun` only looks each id up, and
    /// reports the counts. Inserts are queued in order and awaited together (the writer batches them).
    func store(_ events: [ListedEvent], into store: any EventStore, dryRun: Bool, now: Int64) throws(EventStoreError) -> CatchUpReport {
        var report = CatchUpReport(fetched: events.count)
        if dryRun {
            for listed in events {
                if try store.event(id: listed.event.id) == nil { report.stored += 1 } else { report.skipped += 1 }
            }
            return report
        }
        let results = LockedValue<[Result<InsertOutcome, EventStoreError>]>([])
        let group = DispatchGroup()
        for listed in events {
            let event = listed.event
            let record = EventRecord(
                id: event.id, type: event.type.rawValue, objectID: event.objectID, created: event.created,
                livemode: event.livemode, account: event.account, apiVersion: event.apiVersion, body: listed.body,
                receivedAt: now, verifiedBy: nil, source: .backfill
            )
            group.enter()
            store.insert(record) { result in
                results.withLock { $0.append(result) }
                group.leave()
            }
        }
        group.wait()
        for result in results.withLock({ $0 }) {
            switch result {
            case .success(.stored): report.stored += 1
            case .success(.duplicate): report.skipped += 1
            case .failure(let error): throw error
            }
        }
        return report
    }
}
