import Foundation
import Testing
@testable import WebhookDaemon

/// `stripe-webhookd events` against a running daemon's database.
@Suite(.serialized)
struct EventsCommandTests {
    @Test func listShowReplayPrune_workWhileTheDaemonRuns() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = "sqlite:\(directory.appendingPathComponent("events.sqlite").path)"
        let secret = "whsec_events_test"
        let daemon = Process()
        daemon.executableURL = TestSupport.binary
        daemon.arguments = ["--port", "0", "--store", store, "--log-format", "text"]
        daemon.environment = ["STRIPE_WEBHOOK_SECRET": secret]
        let err = Pipe()
        daemon.standardError = err
        try daemon.run()
        let log = LogAccumulator(err.fileHandleForReading)
        defer { if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() } }
        #expect(TestSupport.eventually { log.text.contains("listening on") })
        let port = try #require(log.text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\/webhook/)).1
        let url = "http://127.0.0.1:\(port)/webhook"
        var ids: [String: String] = [:]
        for type in ["payment_intent.succeeded", "invoice.paid", "customer.created"] {
            let run = try CommandLineTests.run(["trigger", type, "--url", url], environment: ["STRIPE_WEBHOOK_SECRET": secret])
            #expect(run.status == 0)
            ids[type] = String(try #require(run.out.firstMatch(of: /(evt_\w+)/)).1)
        }
        func events(_ arguments: [String]) throws -> CommandLineTests.Run {
            try CommandLineTests.run(["events"] + arguments + ["--store", store])
        }
        #expect(TestSupport.eventually {
            ((try? events(["list", "--status", "done", "--json"]))?.out.split(separator: "\n").count ?? 0) == 3
        })

        // list --json: one object per line with the documented fields.
        let list = try events(["list", "--json"])
        #expect(list.status == 0)
        let objects = try list.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.count == 3)
        for object in objects {
            for key in ["id", "type", "status", "attempts", "received_at"] { #expect(object[key] != nil, "missing \(key)") }
        }
        #expect(try events(["list", "--type", "invoice.*", "--json"]).out.contains(ids["invoice.paid"]!))
        #expect(!(try events(["list", "--type", "invoice.*", "--json"]).out.contains(ids["customer.created"]!)))
        #expect(try events(["list", "--since", "1h"]).out.contains(ids["customer.created"]!))
        #expect(try events(["list", "--status", "failed"]).out == "no events\n")

        // show: payload and the handler's attempt.
        let pi = ids["payment_intent.succeeded"]!
        let show = try events(["show", pi, "--json"])
        #expect(show.status == 0)
        let shown = try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as! [String: Any]
        #expect((shown["payload"] as? [String: Any])?["id"] as? String == pi)
        let runs = try #require(shown["handlers"] as? [[String: Any]])
        #expect(runs.count == 1 && runs[0]["handler"] as? String == "builtin.payment_intent.succeeded" && runs[0]["succeeded"] as? Bool == true)
        #expect(try events(["show", pi]).out.contains("builtin.payment_intent.succeeded  ok"))
        #expect(try events(["show", "evt_nope"]).status == 3)

        // replay: a done event needs --force, then its handler runs again.
        let refused = try events(["replay", pi])
        #expect(refused.status == 3 && refused.err.contains("--force"))
        let forced = try events(["replay", "--force", pi])
        #expect(forced.status == 0 && forced.out.contains("requeued"))
        #expect(TestSupport.eventually { log.text.components(separatedBy: "PaymentIntent was successful!").count - 1 == 2 })
        #expect(TestSupport.eventually { (try? events(["show", pi, "--json"]))?.out.contains(#""status":"done""#) == true })
        #expect(try events(["replay", "--failed"]).out == "requeued 0 failed events\n")

        // prune: done events older than the cutoff go; the rest stay.
        #expect(try events(["prune", "--older-than", "1h"]).out.hasPrefix("pruned 0 events"))
        #expect(try events(["prune", "--older-than", "0s"]).out.hasPrefix("pruned 3 events"))
        #expect(try events(["list"]).out == "no events\n")

        // Bad usage says what to do.
        #expect(try events(["list", "--status", "weird"]).status == 2)
        #expect(try events(["prune"]).err.contains("--older-than"))
        #expect(try CommandLineTests.run(["events", "list", "--store", "sqlite:/nonexistent/x.sqlite"]).status == 2)
    }
}
