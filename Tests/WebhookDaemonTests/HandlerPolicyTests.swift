import EventStore
import Foundation
import Testing
@testable import WebhookDaemon

/// Per-handler `max_concurrency` and `max_attempts`.
@Suite(.serialized)
struct HandlerPolicyTests {
    @Test func maxConcurrencyOne_neverOverlaps_whileALargerLimitDoes() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // `mkdir` is atomic: a second run inside the window finds the directory and records an overlap.
        func guarded(_ name: String) throws -> String {
            try TestSupport.script("\(name).sh", in: directory, """
                echo start >> "\(directory.path)/\(name).starts"
                mkdir "\(directory.path)/\(name).lock" 2>/dev/null || echo overlap >> "\(directory.path)/\(name).overlaps"
                sleep 1
                rmdir "\(directory.path)/\(name).lock" 2>/dev/null
                echo run >> "\(directory.path)/\(name).runs"
                """)
        }
        let (parallel, serial) = (try guarded("parallel"), try guarded("serial"))
        let daemon = try RunningDaemon { configuration in
            configuration.workers = 3
            var wide = HandlerConfiguration(name: "parallel", events: ["customer.created"], action: .command(.init(argv: [parallel])))
            wide.maxConcurrency = 3
            var narrow = HandlerConfiguration(name: "serial", events: ["customer.created"], action: .command(.init(argv: [serial])))
            narrow.maxConcurrency = 1
            configuration.handlers = [wide, narrow]
        }
        defer { daemon.stop() }
        func count(_ file: String) -> Int {
            ((try? String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        // Three customers: three objects, so three workers take them at once. Each is posted once the
        // one before is being handled, so that one idle worker cannot claim two of them in one batch
        // (a worker runs its batch in turn) when the machine is slow to wake the others.
        let bodies = (1...3).map { TestSupport.event("customer.created", object: ["id": "cus_policy_\($0)", "object": "customer"]) }
        for (index, body) in bodies.enumerated() {
            #expect(try daemon.post(body).status == 200)
            #expect(TestSupport.eventually(10) { count("parallel.starts") > index }, "event \(index + 1) was not taken")
        }
        for body in bodies { #expect(daemon.waitForEvent(TestSupport.eventID(of: body), status: .done)?.status == .done) }
        #expect(count("serial.runs") == 3 && count("parallel.runs") == 3)
        #expect(count("serial.overlaps") == 0, "max_concurrency 1 let runs overlap")
        #expect(count("parallel.overlaps") > 0, "the control never overlapped, so the test proves nothing")
    }

    @Test func maxAttempts_perHandler_overridesTheGlobalPolicy() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let failing = try TestSupport.script("fail.sh", in: directory, "exit 1")
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 10, initialDelaySeconds: 0.02, maxDelaySeconds: 0.05)
            var quick = HandlerConfiguration(name: "gives-up-soon", events: ["customer.created"], action: .command(.init(argv: [failing])))
            quick.maxAttempts = 2
            var patient = HandlerConfiguration(name: "keeps-trying", events: ["customer.created"], action: .command(.init(argv: [failing])))
            patient.maxAttempts = 4
            configuration.handlers = [quick, patient]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "customer.created", eventID: id)!).status == 200)
        let failed = try #require(daemon.waitForEvent(id, status: .failed))
        // Dead letter after the patient handler's 4th attempt, not the global 10th; the quick one stopped at 2.
        #expect(failed.attempts == 4)
        #expect(failed.handlers.filter { $0.handler == "gives-up-soon" }.map(\.attempt) == [1, 2])
        #expect(failed.handlers.filter { $0.handler == "keeps-trying" }.map(\.attempt) == [1, 2, 3, 4])
        #expect(failed.lastError == "gives-up-soon: gave up after 2 attempts; keeps-trying: exit status 1")
    }
}
