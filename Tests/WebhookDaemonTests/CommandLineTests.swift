import Foundation
import Testing
@testable import WebhookDaemon

/// The `stripe-webhookd` binary as a user runs it: help, exit codes, sign, and serve + trigger.
@Suite(.serialized)
struct CommandLineTests {
    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs the binary to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil) throws -> Run {
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments = arguments
        // Sanitizer settings pass through (scripts/sanitizers.sh), so a sanitized child reports like the tests do.
        let sanitizerOptions = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }.merging(sanitizerOptions) { a, _ in a }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    @Test(arguments: [["--help"], ["help", "serve"], ["serve", "--help"], ["sign", "--help"], ["trigger", "--help"], ["events", "--help"]])
    func help_printsUsageAndExitsZero(arguments: [String]) throws {
        let run = try Self.run(arguments)
        #expect(run.status == 0)
        #expect(run.out.contains("USAGE"))
    }

    @Test func version_printsTheVersion() throws {
        let run = try Self.run(["--version"])
        #expect(run.status == 0 && run.out == "stripe-webhookd \(Version.current)\n")
    }

    @Test(arguments: [["frobnicate"], ["serve", "--nope"], ["trigger"], ["trigger", "no.such.type", "--secret", "whsec_x"], ["sign"]])
    func usageError_exitsTwoWithAMessage(arguments: [String]) throws {
        let run = try Self.run(arguments)
        #expect(run.status == 2)
        #expect(run.err.hasPrefix("stripe-webhookd"))
    }

    @Test func serveWithoutSecret_refusesAndExplains() throws {
        let run = try Self.run(["serve", "--port", "0", "--store", "memory"])
        #expect(run.status == 2)
        #expect(run.err.contains("stripe listen --print-secret"))
    }

    @Test func sign_matchesTheSpecVector() throws {
        // stripe-webhooks.md §2: secret whsec_test_secret, T = 1700000000, payload PB.
        let payload = Array("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}".utf8)
        let run = try Self.run(["sign", "--secret", "whsec_test_secret", "--timestamp", "1700000000", "-"], stdin: payload)
        #expect(run.status == 0)
        #expect(run.out == "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150\n")
    }

    @Test func triggerList_namesTheTwentySnapshotAndThreeThinSamples() throws {
        let run = try Self.run(["trigger", "--list"])
        #expect(run.status == 0)
        #expect(run.out.split(separator: "\n").count == 23)
        #expect(run.out.contains("payment_intent.succeeded"))
        #expect(run.out.contains("v2.core.event_destination.ping"))
    }

    @Test func serveThenTrigger_reports200AndTheDaemonLogsThePayment() throws {
        let secret = "whsec_cli_\(UUID().uuidString.prefix(8))"
        let daemon = Process()
        daemon.executableURL = TestSupport.binary
        daemon.arguments = ["--port", "0", "--store", "memory", "--log-format", "text"]
        daemon.environment = ["STRIPE_WEBHOOK_SECRET": secret].merging(ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }) { a, _ in a }
        let err = Pipe()
        daemon.standardError = err
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        let log = LogAccumulator(err.fileHandleForReading)
        defer { if daemon.isRunning { daemon.terminate() } }

        #expect(TestSupport.eventually { log.text.contains("listening on http://127.0.0.1:") })
        let port = try #require(log.text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\/webhook/)).1
        let trigger = try Self.run(["trigger", "payment_intent.succeeded", "--url", "http://127.0.0.1:\(port)/webhook"], environment: ["STRIPE_WEBHOOK_SECRET": secret])
        #expect(trigger.status == 0, "\(trigger.err)")
        #expect(trigger.out.contains("-> 200"))
        #expect(TestSupport.eventually { log.text.contains("PaymentIntent was successful!") })
        #expect(!log.text.contains(secret))

        // A wrong secret: the daemon answers 400 and trigger exits 3.
        let rejected = try Self.run(["trigger", "payment_intent.succeeded", "--url", "http://127.0.0.1:\(port)/webhook", "--secret", "whsec_wrong"])
        #expect(rejected.status == 3)
        #expect(rejected.out.contains("-> 400") && rejected.out.contains("signature_mismatch"))

        // SIGTERM: graceful stop, exit 0.
        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        #expect(TestSupport.eventually { log.text.contains("stopped") })
    }
}

/// Collects a child's output as it arrives.
final class LogAccumulator: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] h in
            let chunk = h.availableData
            guard let self else { return }
            if chunk.isEmpty { h.readabilityHandler = nil; return }
            self.lock.lock(); self.data.append(chunk); self.lock.unlock()
        }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
