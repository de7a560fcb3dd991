import EventStore
import Foundation
import StripeWebhooks
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Command handlers, end to end with real child processes: what a script receives, how failures are
/// retried and parked, and how a hanging script is stopped.
@Suite(.serialized)
struct CommandActionTests {
    /// A command handler on every event, with short retries.
    static func handler(_ name: String, _ argv: [String], events: [String] = ["*"], configure: (inout HandlerConfiguration) -> Void = { _ in }) -> HandlerConfiguration {
        var handler = HandlerConfiguration(name: name, events: events, action: .command(.init(argv: argv)))
        configure(&handler)
        return handler
    }

    @Test func script_getsTheBodyByteForByte_andOnlyTheDocumentedEnvironment() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try TestSupport.script("record.sh", in: directory, #"""
            cat > "$OUT/$STRIPE_EVENT_ID.body"
            /usr/bin/env > "$OUT/$STRIPE_EVENT_ID.env"
            echo "fulfilled $STRIPE_OBJECT_ID"
            echo "a warning on stderr" >&2
            """#)
        let daemonEnvironment = ["OUT_DIR": directory.path, "STRIPE_WEBHOOK_SECRET": "whsec_daemon_only", "DATABASE_PASSWORD": "hunter2"]
        let daemon = try RunningDaemon(environment: daemonEnvironment) { configuration in
            var command = HandlerConfiguration.Command(argv: [script])
            command.environment = ["OUT": ValueReference(parsing: "env:OUT_DIR"), "GREETING": ValueReference(parsing: "hello world")]
            configuration.handlers = [HandlerConfiguration(name: "fulfil", events: ["payment_intent.succeeded"], action: .command(command))]
        }
        defer { daemon.stop() }

        // Unusual but valid bytes: non-ASCII, tabs, CRLF and insignificant spaces must arrive untouched.
        let id = SampleEvents.freshEventID()
        var body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!
        body.insert(contentsOf: Array(" \t\r\n".utf8), at: 1)
        body += Array("\r\n\t  ".utf8)
        #expect(try daemon.post(body).status == 200)
        let event = try #require(daemon.waitForEvent(id, status: .done))

        let received = try Data(contentsOf: directory.appendingPathComponent("\(id).body"))
        #expect(Array(received) == body, "stdin differs from the posted body")
        let environment = try String(contentsOf: directory.appendingPathComponent("\(id).env"), encoding: .utf8)
        let variables = Dictionary(uniqueKeysWithValues: environment.split(separator: "\n").map { line -> (String, String) in
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        })
        #expect(variables["STRIPE_EVENT_ID"] == id)
        #expect(variables["STRIPE_EVENT_TYPE"] == "payment_intent.succeeded")
        #expect(variables["STRIPE_EVENT_LIVEMODE"] == "false")
        #expect(variables["STRIPE_OBJECT_ID"] == "pi_1PgafyB7WZ01zgkWSjxsAJo3")
        #expect(variables["STRIPE_EVENT_ATTEMPT"] == "1")
        #expect(variables["STRIPE_EVENT_STALE"] == "false")
        #expect(variables["OUT"] == directory.path)
        #expect(variables["GREETING"] == "hello world")
        // Nothing else of the daemon's, nor of the test runner's: /bin/sh adds only PWD (and maybe SHLVL, _).
        let expected = Set(["STRIPE_EVENT_ID", "STRIPE_EVENT_TYPE", "STRIPE_EVENT_LIVEMODE", "STRIPE_OBJECT_ID", "STRIPE_EVENT_ATTEMPT", "STRIPE_EVENT_STALE", "OUT", "GREETING"])
            .union(CommandAction.thinVariableNames)
        // The thin-event variables are there for snapshot events too, empty but for the payload style.
        #expect(variables["STRIPE_EVENT_PAYLOAD"] == "snapshot")
        #expect(variables["STRIPE_RELATED_OBJECT_ID"] == "" && variables["STRIPE_CONTEXT"] == "")
        let extra = Set(variables.keys).subtracting(expected).subtracting(["PWD", "SHLVL", "_", "OLDPWD"])
        #expect(extra.isEmpty, "unexpected variables: \(extra.sorted())")
        #expect(!environment.contains("hunter2") && !environment.contains("whsec_daemon_only"))

        // stdout and stderr are kept with the attempt, as `events show` prints them.
        let run = try #require(event.handlers.first { $0.handler == "fulfil" })
        #expect(run.succeeded)
        #expect(run.output == "stdout:\nfulfilled pi_1PgafyB7WZ01zgkWSjxsAJo3\nstderr:\na warning on stderr")
        let show = try CommandLineTests.run(["events", "show", id, "--store", "sqlite:\(daemon.databasePath)"])
        #expect(show.out.contains("fulfil  ok") && show.out.contains("fulfilled pi_1PgafyB7WZ01zgkWSjxsAJo3"))
    }

    @Test func failingScript_isRetriedWithBackOff_becomesADeadLetter_andSucceedsAfterReplayOnceFixed() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = #"echo "attempt $STRIPE_EVENT_ATTEMPT: CRM unreachable" >&2; exit 3"#
        let script = try TestSupport.script("crm.sh", in: directory, broken)
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 3, initialDelaySeconds: 0.1, maxDelaySeconds: 5)
            configuration.handlers = [Self.handler("push-to-crm", [script], events: ["invoice.*"])]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "invoice.paid", eventID: id)!).status == 200)

        let failed = try #require(daemon.waitForEvent(id, status: .failed))
        #expect(failed.attempts == 3)
        #expect(failed.lastError == "push-to-crm: exit status 3")
        let runs = failed.handlers.filter { $0.handler == "push-to-crm" }
        #expect(runs.map(\.attempt) == [1, 2, 3])
        #expect(runs.allSatisfy { !$0.succeeded && $0.error == "exit status 3" })
        #expect(runs.map(\.output) == (1...3).map { "stderr:\nattempt \($0): CRM unreachable" })
        // The built-in invoice handler succeeded once and was not rerun on the retries.
        #expect(failed.handlers.filter { $0.handler == "builtin.invoice" }.count == 1)
        // Exponential back-off: 100 ms, then 200 ms (each less up to 20 % jitter), and never sooner.
        let delays = daemon.lines(containing: "event will be retried", id).compactMap { line in
            line.firstMatch(of: /retry\.in_ms=(\d+)/).flatMap { Int($0.1) }
        }
        #expect(delays.count == 2)
        if delays.count == 2 {
            #expect((80...100).contains(delays[0]) && (160...200).contains(delays[1]), "\(delays)")
        }
        #expect(runs[1].startedAt - runs[0].startedAt >= 80 && runs[2].startedAt - runs[1].startedAt >= 160)
        #expect(!daemon.lines(containing: "dead letter", id).isEmpty)

        // Fix the script, replay with the operator command: the handler runs once more and succeeds.
        try TestSupport.script("crm.sh", in: directory, #"echo "pushed $STRIPE_EVENT_ID""#)
        let replay = try CommandLineTests.run(["events", "replay", id, "--store", "sqlite:\(daemon.databasePath)"])
        #expect(replay.status == 0 && replay.out.contains("requeued"))
        let done = try #require(daemon.waitForEvent(id, status: .done))
        let after = done.handlers.filter { $0.handler == "push-to-crm" }
        #expect(after.count == 4)
        #expect(after.last?.succeeded == true && after.last?.output == "stdout:\npushed \(id)")
        #expect(done.handlers.filter { $0.handler == "builtin.invoice" }.count == 1)
    }

    @Test func hangingScript_isKilledAtItsTimeout_withItsWholeProcessGroup() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A background child in the same group must go too, or it would outlive the handler forever.
        let script = try TestSupport.script("hang.sh", in: directory, #"""
            sleep 60 &
            echo $! > "$1/child.pid"
            echo "waiting for a server that never answers"
            wait
            """#)
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 1, initialDelaySeconds: 0.1, maxDelaySeconds: 1)
            configuration.handlers = [Self.handler("slow", [script, directory.path], events: ["customer.created"]) {
                $0.timeoutSeconds = 1
                $0.killGraceSeconds = 5
            }]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "customer.created", eventID: id)!).status == 200)
        let failed = try #require(daemon.waitForEvent(id, status: .failed))
        let run = try #require(failed.handlers.first)
        #expect(run.error == "timed out after 1 s: the process group got SIGTERM, and it stopped")
        let took = (run.finishedAt ?? 0) - run.startedAt
        #expect((950...3000).contains(took), "took \(took) ms")
        #expect(run.output == "stdout:\nwaiting for a server that never answers")
        let child = try #require(Int32(try String(contentsOf: directory.appendingPathComponent("child.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(TestSupport.eventually(3) { Self.isGone(child) }, "the background child \(child) survived")
    }

    @Test func scriptIgnoringSIGTERM_getsSIGKILLAfterTheGracePeriod() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try TestSupport.script("stubborn.sh", in: directory, #"""
            trap '' TERM
            while true; do sleep 0.05; done
            """#)
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 1, initialDelaySeconds: 0.1, maxDelaySeconds: 1)
            configuration.handlers = [Self.handler("stubborn", [script], events: ["customer.created"]) {
                $0.timeoutSeconds = 0.5
                $0.killGraceSeconds = 1
            }]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "customer.created", eventID: id)!).status == 200)
        let run = try #require(daemon.waitForEvent(id, status: .failed)?.handlers.first)
        #expect(run.error == "timed out after 0.5 s: the process group got SIGTERM, then SIGKILL after 1 s")
        let took = (run.finishedAt ?? 0) - run.startedAt
        #expect((1_400...4_000).contains(took), "took \(took) ms")
    }

    @Test func output_keepsTheFirst4KiBOfEachStream_andSaysHowMuchWasDropped() {
        let action = CommandAction(
            executable: "/bin/sh", arguments: ["sh", "-c", "head -c 10000 /dev/zero | tr '\\0' o; head -c 5000 /dev/zero | tr '\\0' e >&2; exit 7"],
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nil, timeout: 10, killGrace: 1
        )
        let body = SampleEvents.payload(for: "customer.created", eventID: "evt_output")!
        let report = action.perform(try! StripeEvent.decode(from: body), context: EventHandlerContext(attempt: 2, body: body))
        #expect(report.failure == "exit status 7")
        let output = report.output ?? ""
        #expect(output.hasPrefix("stdout:\n" + String(repeating: "o", count: 4096) + "\n[… 5904 more bytes not kept]\nstderr:\n"))
        #expect(output.hasSuffix(String(repeating: "e", count: 4096) + "\n[… 904 more bytes not kept]"))
    }

    @Test func scriptThatDoesNotReadItsInput_stillSucceeds_evenWithALargeBody() {
        // A body larger than a pipe's buffer, and a program that never reads it: no hang, no SIGPIPE death.
        let action = CommandAction(executable: "/bin/true", arguments: ["true"], environment: [:], workingDirectory: nil, timeout: 5, killGrace: 1)
        let sample = SampleEvents.payload(for: "customer.created", eventID: "evt_big")!
        let body = Array(sample.dropLast(2)) + Array(",\"padding\": \"\(String(repeating: "x", count: 300_000))\"}\n".utf8)
        let report = action.perform(try! StripeEvent.decode(from: sample), context: EventHandlerContext(attempt: 1, body: body))
        #expect(report.failure == nil)
    }

    @Test func workingDirectory_andARelativeProgram_resolveAgainstIt() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.script("where.sh", in: directory, "pwd")
        var command = HandlerConfiguration.Command(argv: ["./where.sh"])
        command.workingDirectory = directory.path
        var configuration = DaemonConfiguration()
        configuration.secrets = [SecretReference(parsing: "whsec_x")]
        configuration.handlers = [HandlerConfiguration(name: "where", events: ["*"], action: .command(command))]
        let runtime = try DaemonRuntime.build(configuration, environment: [:], logger: .init(label: "t", sink: LogCaptureSink.discard), previous: nil)
        let body = SampleEvents.payload(for: "customer.created", eventID: "evt_where")!
        let report = try #require(runtime.handlers.first).run(try StripeEvent.decode(from: body), context: EventHandlerContext(attempt: 1, body: body))
        #expect(report.failure == nil)
        #expect(report.output == "stdout:\n\(directory.path)")
    }

    /// Whether `pid` no longer runs (gone, or a zombie nobody has reaped yet).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // The state follows the parenthesised command name: "1234 (sleep) Z …".
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") == true
    }
}
