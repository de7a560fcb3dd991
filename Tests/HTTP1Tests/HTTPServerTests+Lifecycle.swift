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

    @Test func secondServerOnABusyPort_failsWithAddressInUse_andTheFirstKeepsServing() throws {
        let live = try LiveServer(loops: 3)
        let second = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: live.port, eventLoopCount: 2),
            responder: EchoResponder(), logger: Logger(label: "test", sink: LogCapture().sink())
        )
        defer { second.shutdown(gracePeriod: .zero) }
        let error = #expect(throws: SystemCallError.self) { try second.start() }
        #expect(error?.code == EADDRINUSE)
        #expect(error?.description.contains("127.0.0.1:\(live.port)") == true)
        #expect(error?.description.contains("Address already in use") == true)
        // Every connection still reaches the first server, whichever loop accepts it.
        for _ in 0..<12 {
            let client = try live.connect()
            try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            client.close()
        }
    }

    @Test func afterShutdown_thePortCanBeBoundAgain() throws {
        let live = try LiveServer(loops: 3)
        live.server.shutdown(gracePeriod: .zero)
        let next = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: live.port, eventLoopCount: 2),
            responder: EchoResponder(), logger: Logger(label: "test", sink: LogCapture().sink())
        )
        defer { next.shutdown(gracePeriod: .zero) }
        // Every loop closed its descriptor of the listening socket, so the port is free.
        #expect(try next.start() == live.port)
        let client = try TestClient(port: live.port, timeout: .seconds(5))
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        client.close()
    }

    @Test func nonNumericHost_failsToStart() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "not-an-address", port: 0, eventLoopCount: 1),
            responder: EchoResponder(), logger: Logger(label: "test", sink: LogCapture().sink())
        )
        #expect(throws: SystemCallError.self) { try server.start() }
    }
}
