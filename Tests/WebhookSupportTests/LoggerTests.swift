import Foundation
import Testing
@testable import WebhookSupport

/// The logger's levels, formats and laziness.
struct LoggerTests {
    @Test func recordsBelowTheLevel_areDroppedWithoutBuildingTheMessage() {
        let capture = LogCapture()
        let logger = Logger(label: "t", level: .notice, sink: capture.sink())
        let built = LockedValue(0)
        logger.info("\(built.withLock { $0 += 1; return "x" })")
        logger.notice("kept")
        #expect(built.withLock { $0 } == 0)
        #expect(capture.lines.count == 1 && capture.lines[0].contains("notice t: kept"))
    }

    @Test func textFormat_sortsMetadataAndQuotesValuesWithSpaces() {
        let capture = LogCapture()
        var logger = Logger(label: "webhookd", sink: capture.sink())
        logger[metadataKey: "request.id"] = "r1"
        logger.warning("Dispute created", metadata: ["dispute.reason": "fraudulent charge", "a": "1"])
        let line = capture.lines[0]
        #expect(line.hasSuffix(" warning webhookd: Dispute created a=1 dispute.reason=\"fraudulent charge\" request.id=r1\n"))
        #expect(line.firstMatch(of: #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /#) != nil)
    }

    @Test func jsonFormat_isOneValidObjectPerLineWithDottedKeys() throws {
        let capture = LogCapture()
        let logger = Logger(label: "webhookd", sink: capture.sink(format: .json))
        logger.error("quote \" backslash \\ newline \n tab \t", metadata: ["event.id": "evt_1", "http.status": "503"])
        let line = capture.lines[0]
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["level"] == "error")
        #expect(object["message"] == "quote \" backslash \\ newline \n tab \t")
        #expect(object["event.id"] == "evt_1" && object["http.status"] == "503")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }

    @Test func concurrentWriters_neverInterleaveLines() {
        let capture = LogCapture()
        let logger = Logger(label: "t", sink: capture.sink(format: .json))
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<200 { logger.info("worker \(worker) line \(index)", metadata: ["k": String(repeating: "v", count: 100)]) }
        }
        #expect(capture.lines.count == 1600)
        #expect(capture.lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    @Test(arguments: Logger.Level.allCases)
    func levelNames_roundTrip(level: Logger.Level) {
        #expect(Logger.Level(name: level.description) == level)
        #expect(Logger.Level(name: level.description.uppercased()) == level)
    }
}
