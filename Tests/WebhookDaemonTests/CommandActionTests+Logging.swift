import EventStore
import Foundation
import Testing
@testable import WebhookDaemon

/// What a command printed reaches the log: a bounded excerpt of stderr and stdout on the failure line,
/// and at debug level on success.
extension CommandActionTests {
    @Test func failingScript_putsABoundedEscapedExcerptOfItsOutputOnTheFailureLine() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Two lines, then 3,000 more bytes: the log keeps 1 KiB of stderr and says how much it left out.
        let script = try TestSupport.script("declined.sh", in: directory, #"""
            echo "card_declined: insufficient funds" >&2
            echo "second line" >&2
            head -c 3000 /dev/zero | tr '\0' x >&2
            echo "order 42 not fulfilled"
            exit 4
            """#)
        let daemon = try RunningDaemon { configuration in
            configuration.retry = .init(maxAttempts: 1, initialDelaySeconds: 0.1, maxDelaySeconds: 1)
            configuration.handlers = [Self.handler("fulfil", [script], events: ["invoice.paid"])]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "invoice.paid", eventID: id)!).status == 200)
        _ = try #require(daemon.waitForEvent(id, status: .failed))

        let line = try #require(daemon.lines(containing: "handler failed", id, "handler=fulfil").first)
        // The text sink writes a value with spaces or newlines as a JSON string: the line stays one line.
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.contains(#"handler.stderr="card_declined: insufficient funds\nsecond line\nxxx"#), "\(line)")
        let kept = 1024 - "card_declined: insufficient funds\nsecond line\n".utf8.count
        #expect(line.contains(String(repeating: "x", count: kept) + " [… \(3000 - kept) more bytes]\""))
        #expect(!line.contains(String(repeating: "x", count: kept + 1)))
        #expect(line.contains(#"handler.stdout="order 42 not fulfilled""#))
        #expect(line.contains("error.message=\"exit status 4\""))
    }

    @Test func succeedingScript_logsItsOutputAtDebugOnly() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try TestSupport.script("ok.sh", in: directory, #"echo "fulfilled order 42""#)
        let daemon = try RunningDaemon { configuration in
            configuration.handlers = [Self.handler("fulfil", [script], events: ["invoice.paid"])]
        }
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        #expect(try daemon.post(SampleEvents.payload(for: "invoice.paid", eventID: id)!).status == 200)
        _ = try #require(daemon.waitForEvent(id, status: .done))

        #expect(TestSupport.eventually { !daemon.lines(containing: "handler output", id).isEmpty })
        let line = try #require(daemon.lines(containing: "handler output", id).first)
        #expect(line.contains("debug"))
        #expect(line.contains(#"handler.stdout="fulfilled order 42""#), "\(line)")
        #expect(!line.contains("handler.stderr"))
    }

    @Test func excerpt_keepsTheLimitAndCountsTheRest() {
        var captured = CapturedOutput(limit: CommandAction.captureLimit)
        let bytes = [UInt8](repeating: UInt8(ascii: "y"), count: 5000)
        bytes.withUnsafeBytes { captured.append($0) }
        let excerpt = CommandAction.excerpt(captured)
        #expect(excerpt == String(repeating: "y", count: CommandAction.logExcerptLimit) + " [… \(5000 - CommandAction.logExcerptLimit) more bytes]")
    }
}
