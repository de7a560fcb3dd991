import EventStore
import Foundation
import Testing
import WebhookSupport
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Commands die with the daemon: a SIGKILLed daemon takes its running command with it at once
/// (PR_SET_PDEATHSIG), and the next start kills what the command's group left behind before the
/// event runs again, so a rerun never overlaps the run the crash interrupted.
@Suite(.serialized)
struct RunningCommandsTests {
    @Test func sigkilledDaemon_takesItsCommandAlong_andTheRestartKillsTheLeftoversBeforeTheRerun() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        // The first run starts a long sleeper in its group and waits; once `quick` exists, a run checks
        // that nothing of an earlier run is alive, and returns.
        let script = try TestSupport.script("fulfil.sh", in: directory, #"""
            echo "start $$" >> "$1/runs.log"
            if [ -e "$1/quick" ]; then
              for pid in $(cat "$1/script.pid" "$1/sleeper.pid"); do
                # Alive unless gone or a zombie (ended; an orphan's reaper may be slow to collect it).
                state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
                if [ -n "$state" ] && [ "$state" != Z ]; then echo "overlap $pid $state" >> "$1/runs.log"; fi
              done
              echo "end $$" >> "$1/runs.log"
              exit 0
            fi
            sleep 120 &
            echo $! > "$1/sleeper.pid"
            echo $$ > "$1/script.pid"
            wait
            echo "end $$" >> "$1/runs.log"
            """#)
        let config = directory.appendingPathComponent("config.json")
        try Data("""
            {"handlers": [{"name": "fulfil", "events": ["customer.created"], "command": ["\(script)", "\(directory.path)"],
              "environment": {"PATH": "/usr/bin:/bin"}, "timeout_seconds": 300}]}
            """.utf8).write(to: config)
        let secret = "whsec_lifetime"
        let arguments = ["--config", config.path, "--store", "sqlite:\(database)", "--workers", "2"]
        // Sanitizer settings pass through (scripts/sanitizers.sh), so the daemon's reports land in files.
        let environment = ["STRIPE_WEBHOOK_SECRET": secret].merging(ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }) { a, _ in a }
        let first = try DaemonProcess(arguments, environment: environment)
        defer { if first.process.isRunning { first.send(SIGKILL) } }

        let body = TestSupport.event("customer.created", object: ["id": "cus_lifetime", "object": "customer"])
        let id = TestSupport.eventID(of: body)
        #expect(try Self.post(body, port: first.port, secret: secret).status == 200)
        #expect(TestSupport.eventually(10) { Self.pid(in: directory, "sleeper.pid") != nil && Self.pid(in: directory, "script.pid") != nil },
                "the command did not start: \(first.log.text.suffix(1500))")
        let scriptPID = try #require(Self.pid(in: directory, "script.pid"))
        let sleeperPID = try #require(Self.pid(in: directory, "sleeper.pid"))
        #expect(FileManager.default.fileExists(atPath: database + ".commands"))

        first.send(SIGKILL)
        first.process.waitUntilExit()
        // The command itself dies with the daemon, at once.
        #expect(TestSupport.eventually(5) { CommandActionTests.isGone(scriptPID) }, "the command \(scriptPID) outlived the SIGKILLed daemon")

        // The restart kills the sleeper the command left before the interrupted event runs again.
        try Data().write(to: directory.appendingPathComponent("quick"))
        let second = try DaemonProcess(arguments, environment: environment)
        defer { second.stop() }
        #expect(TestSupport.eventually(5) { CommandActionTests.isGone(sleeperPID) }, "the command's child \(sleeperPID) survived the restart")
        let store = try SQLiteEventStore(path: database, logger: Logger(label: "t", level: .critical, sink: LogCaptureSink.discard), options: .readOnly)
        defer { store.close() }
        #expect(TestSupport.eventually(15) { (try? store.event(id: id))??.status == .done }, "\(second.log.text.suffix(1500))")
        let runs = (try? String(contentsOf: directory.appendingPathComponent("runs.log"), encoding: .utf8)) ?? ""
        #expect(!runs.contains("overlap"), "the rerun overlapped the interrupted run:\n\(runs)")
        #expect(runs.components(separatedBy: "start ").count - 1 == 2, "\(runs)")
        #expect(second.log.text.contains("killing the processes a command left running"))
        #expect(second.log.text.contains(String(sleeperPID)))
    }

    @Test func leftoversFromAnotherBoot_orOfGroupsThatAreGone_areLeftAlone() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite.commands").path
        // A live process of ours in its own group, recorded under another boot's id: not touched.
        let bystander = Process()
        // The system Python itself (a version manager's shim would fork, and its child would be a
        // later member of the group): it leads a group of its own, then becomes `sleep`, same pid.
        bystander.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        bystander.arguments = ["-c", "import os; os.setpgid(0, 0); os.execv('/bin/sleep', ['sleep', '30'])"]
        try bystander.run()
        defer { if bystander.isRunning { kill(bystander.processIdentifier, SIGKILL) } }
        let comm = "/proc/\(bystander.processIdentifier)/comm"
        #expect(TestSupport.eventually(5) { (try? String(contentsOfFile: comm, encoding: .utf8)) == "sleep\n" })
        #expect(RunningCommands.processInfo(bystander.processIdentifier)?.group == bystander.processIdentifier)
        try Data("boot 00000000-0000-0000-0000-000000000000\n\(bystander.processIdentifier) 0\n".utf8).write(to: URL(fileURLWithPath: path))
        let log = LogCapture()
        let commands = RunningCommands(path: path)
        #expect(commands.killLeftovers(logger: Logger(label: "t", sink: log.sink())) == 0)
        #expect(bystander.isRunning)

        // Recorded in this boot, but started before the recorded leader: not the same group either.
        let start = try #require(RunningCommands.processInfo(bystander.processIdentifier)?.startTime)
        try Data("boot \(RunningCommands.bootID())\n\(bystander.processIdentifier) \(start + 1)\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(commands.killLeftovers(logger: Logger(label: "t", sink: log.sink())) == 0)
        #expect(bystander.isRunning)

        // The same record with the right start time: killed, and the record is emptied.
        try Data("boot \(RunningCommands.bootID())\n\(bystander.processIdentifier) \(start)\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(commands.killLeftovers(logger: Logger(label: "t", sink: log.sink())) == 1)
        bystander.waitUntilExit()
        #expect(bystander.terminationReason == .uncaughtSignal && bystander.terminationStatus == SIGKILL)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "boot \(RunningCommands.bootID())\n")
    }

    /// Posts one event signed with `secret` to the daemon on `port`.
    static func post(_ body: [UInt8], port: Int, secret: String) throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: secret)))
        guard let response = try client.readResponse() else { throw TestHTTPClient.ClientError(description: "no response") }
        return response
    }

    /// The pid a script wrote into `name`, if it did.
    static func pid(in directory: URL, _ name: String) -> Int32? {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// A record that cannot be written (its directory is gone, as on a full or broken disk) is said once,
/// loudly, with the path and the reason, and its recovery once, instead of failing in silence.
@Suite struct RunningCommandsRecordFailureTests {
    @Test func unwritableRecord_isReportedOnceAndItsRecoveryToo() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("gone")
        let path = folder.appendingPathComponent("events.sqlite.commands").path
        let log = LogCapture()
        let commands = RunningCommands(path: path, logger: Logger(label: "t", sink: log.sink(format: .json)))
        let me = getpid()
        commands.started(me)
        commands.ended(me)
        commands.started(me)
        let errors = log.lines.filter { $0.contains("\"level\":\"error\"") }
        #expect(errors.count == 1, "one error for the failing streak: \(log.lines)")
        #expect(errors.first?.contains("cannot record the running commands' process groups") == true)
        #expect(errors.first?.contains(path + ".tmp") == true && errors.first?.contains("No such file or directory") == true)
        #expect(!FileManager.default.fileExists(atPath: path))

        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        commands.ended(me)
        #expect(log.lines.filter { $0.contains("recorded again") }.count == 1)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "boot \(RunningCommands.bootID())\n")
        commands.started(me)
        #expect(log.lines.filter { $0.contains("\"level\":\"error\"") }.count == 1, "no new error while the record is written")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\n\(me) "))
    }
}
