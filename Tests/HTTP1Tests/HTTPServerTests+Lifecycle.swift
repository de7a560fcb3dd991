import Foundation
import Testing
import WebhookSupport
@testable import HTTP1

/// Starting, and shutting down with requests in flight.
extension HTTPServerTests {
    @Test func shutdown_letsTheSlowRequestInFlightFinish() throws {
        let live = try LiveServer()
        let busy = try live.connect()
        let idle = try live.connect()
        try idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try idle.readResponse()
        try busy.send("GET /slow?ms=1000 HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let started = ContinuousClock.now
        let finished = DispatchSemaphore(value: 0)
        Thread { [server = live.server] in
            server.shutdown(gracePeriod: .seconds(5))
            finished.signal()
        }.start()
        // The idle keep-alive connection closes at once; the busy one gets its answer, then is closed.
        #expect(idle.isClosedByServer())
        #expect(ContinuousClock.now - started < .milliseconds(800))
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(busy.isClosedByServer())
        busy.close()
        #expect(finished.wait(timeout: .now() + 4) == .success)
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(900) && took < .seconds(3))
        #expect(live.server.openConnectionCount == 0)
        #expect(throws: (any Error).self) { _ = try live.connect() }
    }

    @Test func shutdown_closesWhatIsLeftWhenTheGracePeriodEnds() throws {
        let live = try LiveServer()
        let client = try live.connect()
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let started = ContinuousClock.now
        live.server.shutdown(gracePeriod: .milliseconds(200))
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(150) && took < .seconds(2))
        #expect(client.isClosedByServer())
        #expect(live.server.openConnectionCount == 0)
    }

    @Test func startTwice_fails() throws {
        let live = try LiveServer()
        #expect(throws: SystemCallError.self) { try live.server.start() }
    }

    @Test func nonNumericHost_failsToStart() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "not-an-address", port: 0, eventLoopCount: 1),
            responder: EchoResponder(), logger: Logger(label: "test", sink: LogCapture().sink())
        )
        #expect(throws: SystemCallError.self) { try server.start() }
    }
}
