import EventStore
import Foundation
import Testing
import WebhookSupport
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// One daemon per SQLite store: a second `serve` on the same store exits 1 naming the store and the
/// owner's PID (its start-up recovery would release the first one's live claims); the `events`
/// commands keep working beside the owner; a SIGKILLed owner never blocks its restart.
@Suite(.serialized)
struct StoreOwnershipTests {
    /// Posts one event signed with `secret` to a daemon listening on `port`.
    static func post(_ body: [UInt8], port: Int, secret: String) throws -> TestHTTPClient.Response {
        let client = try TestHTTPClient(port: port)
        try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: secret)))
        guard let response = try client.readResponse() else { throw TestHTTPClient.ClientError(description: "no response") }
        return response
    }

    /// Runs the binary to its exit, killing it (and failing) if it is still running after `seconds`.
    static func runToExit(_ arguments: [String], environment: [String: String], seconds: Double = 20) throws -> CommandLineTests.Run {
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments = arguments
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = LogAccumulator(err.fileHandleForReading)
        if !TestSupport.eventually(seconds, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("stripe-webhookd \(arguments.joined(separator: " ")) was still running after \(seconds) s:\n\(log.text)")
        }
        process.waitUntilExit()
        _ = TestSupport.eventually(2) { !log.text.isEmpty }
        return CommandLineTests.Run(status: process.terminationStatus, out: "", err: log.text)
    }

    @Test func secondDaemon_onTheSameStore_exits1NamingTheOwner_andEventsCommandsStillWork() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        let environment = ["STRIPE_WEBHOOK_SECRET": "whsec_owner_test", "PATH": "/usr/bin:/bin"]
        let owner = try DaemonProcess(["--store", "sqlite:\(path)"], environment: environment)
        defer { owner.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try Self.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!, port: owner.port, secret: "whsec_owner_test").status == 200)

        // Another secret, another port, the same store: refused before it listens or recovers anything.
        let second = try Self.runToExit(["--store", "sqlite:\(path)", "--port", "0", "--log-format", "text"], environment: ["STRIPE_WEBHOOK_SECRET": "whsec_other"])
        #expect(second.status == 1)
        #expect(second.err.contains(path) && second.err.contains("PID \(owner.process.processIdentifier)"), "names the store and its owner:\n\(second.err)")
        #expect(!second.err.contains("listening on"))
        #expect(owner.process.isRunning)
        #expect(owner.count("interrupted events returned to the queue") == 0)

        // The events commands take no owner lock: they read and write beside the owner.
        func events(_ arguments: [String]) throws -> CommandLineTests.Run {
            try CommandLineTests.run(["events"] + arguments + ["--store", "sqlite:\(path)"])
        }
        #expect(TestSupport.eventually { (try? events(["show", id, "--json"]))?.out.contains(#""status":"done""#) == true })
        #expect(try events(["list", "--json"]).out.contains(id))
        #expect(try events(["replay", "--force", id]).status == 0)
        #expect(TestSupport.eventually { owner.count("PaymentIntent was successful!") == 2 }, "the owner ran the replay")
        #expect(try events(["prune", "--older-than", "1h"]).status == 0)
    }

    @Test func ownerKilledWithSIGKILL_restartsOnTheSameStore() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        let environment = ["STRIPE_WEBHOOK_SECRET": "whsec_owner_test", "PATH": "/usr/bin:/bin"]
        let first = try DaemonProcess(["--store", "sqlite:\(path)"], environment: environment)
        let id = SampleEvents.freshEventID()
        #expect(try Self.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!, port: first.port, secret: "whsec_owner_test").status == 200)
        first.send(SIGKILL)
        first.process.waitUntilExit()

        let restarted = try DaemonProcess(["--store", "sqlite:\(path)"], environment: environment)
        defer { restarted.stop() }
        let next = SampleEvents.freshEventID()
        #expect(try Self.post(SampleEvents.payload(for: "payment_intent.succeeded", eventID: next)!, port: restarted.port, secret: "whsec_owner_test").status == 200)
    }

    @Test func inProcess_secondApplicationOnTheSameStore_isRefused_untilTheFirstStops() throws {
        let first = try RunningDaemon()
        let store = first.application.configuration.store
        var configuration = first.application.configuration
        configuration.port = 0
        let logger = Logger(label: "t", level: .critical, sink: LogCaptureSink.discard)
        #expect(throws: EventStoreError.self) { try WebhookApplication(configuration: configuration, environment: [:], logger: logger) }
        first.application.shutdown()
        defer { try? FileManager.default.removeItem(at: first.directory) }
        let second = try WebhookApplication(configuration: configuration, environment: [:], logger: logger)
        #expect(second.configuration.store == store)
        second.shutdown()
    }
}
