import EventStore
import Foundation
import Testing
import WebhookSupport
@testable import WebhookDaemon

/// `events show`/`list` naming the event that holds an object back, `list` saying when it cut the
/// list, and `prune --dry-run`: on a database written through the store, read by the binary.
extension EventsCommandTests {
    /// A SQLite store in a new directory, its `--store` value, and a way to run `events` on it.
    struct Database {
        let directory: URL
        let store: SQLiteEventStore
        var setting: String { "sqlite:\(directory.appendingPathComponent("events.sqlite").path)" }

        init() throws {
            directory = try TestSupport.temporaryDirectory()
            store = try SQLiteEventStore(
                path: directory.appendingPathComponent("events.sqlite").path, logger: Logger(label: "t", sink: LogCaptureSink.discard))
        }

        /// Stores an event about `object`, received `agoMillis` ago.
        func insert(_ id: String, object: String?, agoMillis: Int64 = 60_000) throws {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let record = EventRecord(
                id: id, type: "invoice.paid", objectID: object, created: 1_700_000_000, livemode: false, account: nil,
                apiVersion: nil, body: Array(#"{"id":"\#(id)","object":"event"}"#.utf8), receivedAt: now - agoMillis, verifiedBy: "test")
            let done = DispatchSemaphore(value: 0)
            let outcome = LockedValue<Result<InsertOutcome, EventStoreError>?>(nil)
            store.insert(record) { result in
                outcome.withLock { $0 = result }
                done.signal()
            }
            done.wait()
            #expect(try outcome.withLock { $0 }?.get() == .stored)
        }

        /// Runs `events ARGUMENTS --store …`.
        func events(_ arguments: [String]) throws -> CommandLineTests.Run {
            try CommandLineTests.run(["events"] + arguments + ["--store", setting])
        }

        func remove() {
            store.close()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func showAndList_nameTheFailingEventThatHoldsAnObjectBack() throws {
        let database = try Database()
        defer { database.remove() }
        try database.insert("evt_head", object: "in_stuck")
        try database.insert("evt_behind", object: "in_stuck")
        try database.insert("evt_free", object: "in_other")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let claimed = try database.store.claimDue(now: now, limit: 1)
        #expect(claimed.map(\.event.id) == ["evt_head"])
        try database.store.retryLater(eventID: "evt_head", at: now + 600_000, error: "handler fulfil-order: exited with status 1\nstack…", now: now)

        let show = try database.events(["show", "evt_behind"])
        #expect(show.status == 0)
        #expect(show.out.contains(#/blocked_by:   waiting behind evt_head \(attempt 1, next retry in (9m|10m) /#), "\(show.out)")
        #expect(show.out.contains(#"last error "handler fulfil-order: exited with status 1 stack…")"#))
        #expect(!(try database.events(["show", "evt_head"])).out.contains("waiting behind"))
        #expect(!(try database.events(["show", "evt_free"])).out.contains("waiting behind"))

        let list = try database.events(["list"])
        #expect(list.out.contains("└ waiting behind evt_head (attempt 1, next retry in"), "\(list.out)")
        #expect(list.out.components(separatedBy: "waiting behind").count == 2)

        let lines = try database.events(["list", "--json"]).out.split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let byID = Dictionary(uniqueKeysWithValues: objects.map { ($0["id"] as? String ?? "", $0) })
        let blockedBy = try #require(byID["evt_behind"]?["blocked_by"] as? [String: Any])
        #expect(blockedBy["id"] as? String == "evt_head")
        #expect(blockedBy["attempts"] as? Int == 1)
        #expect(blockedBy["being_handled"] as? Bool == false)
        #expect((blockedBy["last_error"] as? String)?.hasPrefix("handler fulfil-order") == true)
        #expect(byID["evt_head"]?["blocked_by"] is NSNull)
        #expect(byID["evt_free"]?["blocked_by"] is NSNull)

        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try database.events(["show", "evt_behind", "--json"]).out.utf8)) as? [String: Any])
        #expect((shown["blocked_by"] as? [String: Any])?["id"] as? String == "evt_head")
    }

    @Test func listAtItsLimit_saysOnStderrThatThereIsMore() throws {
        let database = try Database()
        defer { database.remove() }
        for index in 0..<3 { try database.insert("evt_limit_\(index)", object: nil, agoMillis: Int64(10_000 - index)) }

        let cut = try database.events(["list", "--limit", "2"])
        #expect(cut.status == 0)
        #expect(cut.out.split(separator: "\n").count == 3)  // header + 2
        #expect(cut.out.contains("evt_limit_2") && !cut.out.contains("evt_limit_0"))
        #expect(cut.err == "(showing the newest 2; --limit N for more)\n")

        let json = try database.events(["list", "--limit", "2", "--json"])
        #expect(json.out.split(separator: "\n").count == 2)
        #expect(json.err.contains("showing the newest 2"))

        let whole = try database.events(["list", "--limit", "3"])
        #expect(whole.err.isEmpty)
        #expect(whole.out.contains("evt_limit_0"))
    }

    @Test func pruneDryRun_countsWhatWouldGoAndDeletesNothing() throws {
        let database = try Database()
        defer { database.remove() }
        try database.insert("evt_old_done", object: "a", agoMillis: 3 * 86_400_000)
        try database.insert("evt_old_failed", object: "b", agoMillis: 3 * 86_400_000)
        try database.insert("evt_new_done", object: "c", agoMillis: 1_000)
        try database.insert("evt_old_pending", object: "d", agoMillis: 3 * 86_400_000)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(try database.store.claimDue(now: now, limit: 3).count == 3)
        try database.store.complete(eventID: "evt_old_done", now: now)
        try database.store.markFailed(eventID: "evt_old_failed", error: "gave up", now: now)
        try database.store.complete(eventID: "evt_new_done", now: now)

        let dry = try database.events(["prune", "--older-than", "1d", "--include-failed", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.out.hasPrefix("dry run: would prune 2 events received before"), "\(dry.out)")
        #expect(dry.out.contains("(1 done, 1 failed); nothing deleted"))
        #expect(try database.events(["list", "--json"]).out.split(separator: "\n").count == 4)

        #expect(try database.events(["prune", "--older-than", "1d", "--dry-run"]).out.contains("would prune 1 event received"))
        #expect(try database.events(["prune", "--older-than", "1d", "--include-failed"]).out.hasPrefix("pruned 2 events"))
        #expect(try database.events(["list", "--json"]).out.split(separator: "\n").count == 2)
    }
}
