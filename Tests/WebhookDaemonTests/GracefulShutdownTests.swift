import EventStore
import Foundation
import Testing
import WebhookDaemon
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM under load, against the real binary: every event answered 200 must be in the store after
/// the daemon exits 0, however the signal cut across the requests in flight.
@Suite(.serialized)
struct GracefulShutdownTests {
    /// What the load generator saw.
    struct Tally: Sendable {
        /// Event ids answered 200.
        var acknowledged: [String] = []
        /// Responses by status.
        var statuses: [Int: Int] = [:]
        /// 200s that arrived after the signal was sent: requests that were in flight when it came.
        var acknowledgedAfterSignal = 0
        /// Connections refused after the signal (the listener was closed).
        var refusedAfterSignal = 0
    }

    @Test func sigtermUnderLoad_storesEveryAcknowledgedEventAndExitsZero() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        let secret = "whsec_shutdown_\(UUID().uuidString.prefix(8))"
        let config = directory.appendingPathComponent("config.json")
        try Data(#"{"shutdown_grace_seconds": 5}"#.utf8).write(to: config)

        let (daemon, log, port) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // 16 clients send signed events on keep-alive connections, reconnecting when closed, until their
        // connections are refused after the signal (or 20 s pass, which would itself be a failure).
        let tally = LockedValue(Tally())
        let signalled = LockedValue(false)
        let clients = DispatchGroup()
        for client in 0..<16 {
            clients.enter()
            Thread.detachNewThread {
                defer { clients.leave() }
                Self.sendUntilRefused(port: port, secret: secret, client: client, tally: tally, signalled: signalled)
            }
        }
        // SIGTERM once the load is well under way.
        #expect(TestSupport.eventually(20) { tally.withLock { $0.acknowledged.count } >= 300 })
        let signalledAt = ContinuousClock.now
        signalled.withLock { $0 = true }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        let stoppedIn = ContinuousClock.now - signalledAt
        #expect(clients.wait(timeout: .now() + 30) == .success, "clients did not stop")

        #expect(daemon.terminationReason == .exit)
        #expect(daemon.terminationStatus == 0, "\(log.text.suffix(2000))")
        #expect(stoppedIn < .seconds(5 + 3), "took \(stoppedIn) to stop with a 5 s grace period")
        #expect(log.text.contains("SIGTERM received"))
        #expect(log.text.contains("stopped"))

        let seen = tally.withLock { $0 }
        #expect(seen.refusedAfterSignal > 0, "no connection was refused after SIGTERM: the listener stayed open")
        #expect(seen.statuses.keys.allSatisfy { $0 == 200 || $0 == 503 }, "unexpected statuses \(seen.statuses)")

        // Every acknowledged event is on disk, and none is stuck in a worker's claim.
        let store = try SQLiteEventStore(path: database, logger: Logger(label: "check", level: .critical), options: .init(readOnly: true))
        defer { store.close() }
        var missing: [String] = []
        for id in seen.acknowledged {
            guard let stored = try store.event(id: id) else {
                missing.append(id)
                continue
            }
            #expect(stored.status != .failed, "\(id) failed: \(stored.lastError ?? "")")
        }
        #expect(missing.isEmpty, "\(missing.count) of \(seen.acknowledged.count) acknowledged events are not stored: \(missing.prefix(5))")
        #expect(try store.summary().counts.values.reduce(0, +) >= seen.acknowledged.count)

        // The next start handles whatever the stop left pending: every acknowledged event ends up done.
        let (restarted, restartLog, _) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if restarted.isRunning { kill(restarted.processIdentifier, SIGKILL) } }
        let allDone = TestSupport.eventually(30) {
            seen.acknowledged.allSatisfy { id in (try? store.event(id: id))??.status == .done }
        }
        #expect(allDone, "acknowledged events still not handled after a restart: \(restartLog.text.suffix(1500))")
        kill(restarted.processIdentifier, SIGTERM)
        restarted.waitUntilExit()
        #expect(restarted.terminationReason == .exit && restarted.terminationStatus == 0)
        print("graceful shutdown: \(seen.acknowledged.count) acknowledged (\(seen.acknowledgedAfterSignal) after SIGTERM), "
            + "statuses \(seen.statuses), \(seen.refusedAfterSignal) refused after SIGTERM, stopped in \(stoppedIn)")
    }

    @Test func requestHalfSentAtSigterm_isStillAnsweredWithCloseAndStored() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        let secret = "whsec_inflight_\(UUID().uuidString.prefix(8))"
        let config = directory.appendingPathComponent("config.json")
        try Data(#"{"shutdown_grace_seconds": 5}"#.utf8).write(to: config)
        let (daemon, log, port) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "invoice.paid", eventID: id)!
        let request = TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: secret))
        let client = try TestHTTPClient(port: port)
        let half = request.count - body.count / 2
        try client.send(Array(request[..<half]))
        Thread.sleep(forTimeInterval: 0.2)
        kill(daemon.processIdentifier, SIGTERM)
        #expect(TestSupport.eventually(5) { log.text.contains("SIGTERM received") })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(daemon.isRunning, "the daemon did not wait for the request in flight")
        #expect(throws: (any Error).self, "a new connection was accepted after SIGTERM") { _ = try TestHTTPClient(port: port) }

        try client.send(Array(request[half...]))
        let response = try #require(try client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        daemon.waitUntilExit()
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0)
        let store = try SQLiteEventStore(path: database, logger: Logger(label: "check", level: .critical), options: .init(readOnly: true))
        defer { store.close() }
        #expect(try store.event(id: id) != nil, "the event answered 200 during shutdown is not stored")
    }

    @Test func secondSignal_exitsAtOnceWithoutWaitingForTheGracePeriod() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        let config = directory.appendingPathComponent("config.json")
        try Data(#"{"shutdown_grace_seconds": 60}"#.utf8).write(to: config)
        let (daemon, log, port) = try Self.startDaemon(config: config, database: database, secret: "whsec_twice")
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // A request head still arriving holds the graceful stop (up to the header deadline or the grace).
        let client = try TestHTTPClient(port: port)
        try client.send("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        kill(daemon.processIdentifier, SIGTERM)
        #expect(TestSupport.eventually(5) { log.text.contains("SIGTERM received") })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(daemon.isRunning, "the first signal did not wait for the request in flight")
        let second = ContinuousClock.now
        kill(daemon.processIdentifier, SIGINT)
        daemon.waitUntilExit()
        #expect(ContinuousClock.now - second < .seconds(3))
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus != 0)
        #expect(log.text.contains("received again"))
    }

    @Test func sigtermWithABacklog_finishesOnlyTheRunningHandlers_releasesTheRest_andExitsWithinTheGrace() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        let secret = "whsec_backlog"
        let script = try TestSupport.script("slow.sh", in: directory, #"""
            echo "$STRIPE_EVENT_ID" >> "$1/started.log"
            sleep 0.6
            echo "$STRIPE_EVENT_ID" >> "$1/finished.log"
            """#)
        let config = directory.appendingPathComponent("config.json")
        try Data("""
            {"shutdown_grace_seconds": 3, "handlers": [{"name": "slow", "events": ["customer.created"],
              "command": ["\(script)", "\(directory.path)"], "environment": {"PATH": "/usr/bin:/bin"}, "timeout_seconds": 30}]}
            """.utf8).write(to: config)
        let (daemon, log, port) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // Twenty events about twenty objects: the two workers claim them in batches of up to 16, which
        // before took up to 16 × 0.6 s to work through at a stop.
        var ids: [String] = []
        for index in 0..<20 {
            let body = TestSupport.event("customer.created", object: ["id": "cus_backlog_\(index)", "object": "customer"])
            ids.append(TestSupport.eventID(of: body))
            #expect(try RunningCommandsTests.post(body, port: port, secret: secret).status == 200)
        }
        let started = directory.appendingPathComponent("started.log"), finished = directory.appendingPathComponent("finished.log")
        func lines(_ url: URL) -> [String] { ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        // The third run starts once a worker finished its first event and claimed a batch of the rest.
        #expect(TestSupport.eventually(10) { lines(started).count >= 3 }, "\(log.text.suffix(1500))")

        let signalled = ContinuousClock.now
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        let took = ContinuousClock.now - signalled
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0, "\(log.text.suffix(1500))")
        #expect(took < .seconds(3) + .milliseconds(1500), "took \(took) to stop with a 3 s grace period")
        // The handlers running at the signal finished; none was cut off.
        #expect(lines(started).sorted() == lines(finished).sorted())
        #expect(log.text.contains("returned claimed events not yet started to the queue"))

        // The rest is pending, unclaimed and unspent: the next start takes it at once.
        let store = try SQLiteEventStore(path: database, logger: Logger(label: "check", level: .critical), options: .init(readOnly: true))
        defer { store.close() }
        #expect(try store.summary().claimed == 0)
        let handledBeforeStop = Set(lines(finished))
        #expect(handledBeforeStop.count < ids.count)
        for id in ids where !handledBeforeStop.contains(id) {
            let event = try #require(try store.event(id: id))
            #expect(event.status == .pending && !event.isClaimed && event.attempts == 0, "\(id): \(event.status) claimed by \(event.claimedBy ?? "-"), \(event.attempts) attempts")
        }

        let (restarted, restartLog, _) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if restarted.isRunning { kill(restarted.processIdentifier, SIGKILL) } }
        #expect(TestSupport.eventually(30) { ids.allSatisfy { (try? store.event(id: $0))??.status == .done } }, "\(restartLog.text.suffix(1500))")
        #expect(lines(started).sorted() == ids.sorted(), "each event's handler runs once")
        for id in ids {
            #expect((try store.event(id: id))?.handlers.filter { $0.handler == "slow" }.count == 1, "\(id)")
        }
        kill(restarted.processIdentifier, SIGTERM)
        restarted.waitUntilExit()
    }

    @Test func sigtermWhileAHandlerOutlastsTheGrace_exitsAtTheGrace_andTheEventRunsAgainAfterRestart() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("events.sqlite").path
        let secret = "whsec_outlast"
        let script = try TestSupport.script("stuck.sh", in: directory, #"""
            echo $$ >> "$1/started.log"
            [ -e "$1/quick" ] && exit 0
            sleep 60
            """#)
        let config = directory.appendingPathComponent("config.json")
        try Data("""
            {"shutdown_grace_seconds": 1, "handlers": [{"name": "stuck", "events": ["customer.created"],
              "command": ["\(script)", "\(directory.path)"], "environment": {"PATH": "/usr/bin:/bin"}, "timeout_seconds": 120}]}
            """.utf8).write(to: config)
        let (daemon, log, port) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let body = TestSupport.event("customer.created", object: ["id": "cus_outlast", "object": "customer"])
        let id = TestSupport.eventID(of: body)
        #expect(try RunningCommandsTests.post(body, port: port, secret: secret).status == 200)
        #expect(TestSupport.eventually(10) { RunningCommandsTests.pid(in: directory, "started.log") != nil })
        let command = try #require(RunningCommandsTests.pid(in: directory, "started.log"))

        let signalled = ContinuousClock.now
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        let took = ContinuousClock.now - signalled
        #expect(took < .seconds(1) + .milliseconds(1500), "took \(took) to stop with a 1 s grace period")
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0)
        #expect(log.text.contains("handlers still running after shutdown_grace_seconds"))
        #expect(TestSupport.eventually(5) { CommandActionTests.isGone(command) }, "the command outlived the daemon")

        try Data().write(to: directory.appendingPathComponent("quick"))
        let (restarted, restartLog, _) = try Self.startDaemon(config: config, database: database, secret: secret)
        defer { if restarted.isRunning { kill(restarted.processIdentifier, SIGKILL) } }
        let store = try SQLiteEventStore(path: database, logger: Logger(label: "check", level: .critical), options: .init(readOnly: true))
        defer { store.close() }
        #expect(TestSupport.eventually(15) { (try? store.event(id: id))??.status == .done }, "\(restartLog.text.suffix(1500))")
        kill(restarted.processIdentifier, SIGTERM)
        restarted.waitUntilExit()
    }

    /// Starts the binary on a free port with `config` and the SQLite store at `database`; returns it with its
    /// log and the port it announced.
    static func startDaemon(config: URL, database: String, secret: String) throws -> (Process, LogAccumulator, Int) {
        let daemon = Process()
        daemon.executableURL = TestSupport.binary
        daemon.arguments = ["--config", config.path, "--port", "0", "--store", "sqlite:\(database)", "--log-format", "text", "--workers", "2"]
        // Sanitizer settings pass through (scripts/sanitizers.sh), so the daemon's reports land in files.
        let sanitizerOptions = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        daemon.environment = ["STRIPE_WEBHOOK_SECRET": secret].merging(sanitizerOptions) { a, _ in a }
        let err = Pipe()
        daemon.standardError = err
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        let log = LogAccumulator(err.fileHandleForReading)
        let announced = TestSupport.eventually { log.text.contains("listening on http://127.0.0.1:") }
        guard announced, let port = log.text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\/webhook/).flatMap({ Int($0.1) }) else {
            kill(daemon.processIdentifier, SIGKILL)
            throw TestHTTPClient.ClientError(description: "the daemon did not start: \(log.text.suffix(1500))")
        }
        return (daemon, log, port)
    }

    /// One client's loop: fresh signed events over keep-alive connections until the daemon refuses it.
    static func sendUntilRefused(port: Int, secret: String, client: Int, tally: LockedValue<Tally>, signalled: LockedValue<Bool>) {
        let deadline = ContinuousClock.now + .seconds(20)
        let types = SampleEvents.types
        var sent = 0
        while ContinuousClock.now < deadline {
            let connection: TestHTTPClient
            do {
                connection = try TestHTTPClient(port: port, timeoutSeconds: 15)
            } catch {
                if signalled.withLock({ $0 }) {
                    tally.withLock { $0.refusedAfterSignal += 1 }
                    return
                }
                continue
            }
            while ContinuousClock.now < deadline {
                let id = SampleEvents.freshEventID()
                let body = SampleEvents.payload(for: types[(client + sent) % types.count], eventID: id)!
                sent += 1
                guard (try? connection.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: secret)))) != nil,
                      let response = try? connection.readResponse() else { break }
                let afterSignal = signalled.withLock { $0 }
                tally.withLock { tally in
                    tally.statuses[response.status, default: 0] += 1
                    if response.status == 200 {
                        tally.acknowledged.append(id)
                        if afterSignal { tally.acknowledgedAfterSignal += 1 }
                    }
                }
                if response.header("Connection")?.lowercased() == "close" { break }
            }
        }
    }
}
