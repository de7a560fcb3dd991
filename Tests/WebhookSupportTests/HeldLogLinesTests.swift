import Foundation
import Testing
@testable import WebhookSupport

/// Lines a thread holds (`LogSink.holdLines()`), as an event loop does for one pass over its ready
/// connections: kept back until written, then written whole, in order, and only that thread's.
struct HeldLogLinesTests {
    /// Runs `body` on a thread of its own (holding is per thread; the test's own thread is a pool
    /// thread other tests share) and waits for it.
    private func onOwnThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            LogSink.releaseLines()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    @Test func heldLines_waitForWriteHeldLinesThenArriveInOrder() {
        let capture = LogCapture()
        let logger = Logger(label: "t", sink: capture.sink(format: .json))
        onOwnThread {
            LogSink.holdLines()
            logger.info("first", metadata: ["event.id": "evt_1"])
            logger.info("second", metadata: ["event.id": "evt_2"])
            #expect(capture.lines.isEmpty)
            LogSink.writeHeldLines()
            #expect(capture.lines.count == 2)
            #expect(capture.lines.first?.contains(#""message":"first""#) == true)
            #expect(capture.lines.last?.contains(#""message":"second""#) == true)
            // Still holding until released.
            logger.info("third")
            #expect(capture.lines.count == 2)
            LogSink.releaseLines()
            #expect(capture.lines.count == 3)
            // Released: written at once again.
            logger.info("fourth")
            #expect(capture.lines.count == 4)
        }
        #expect(capture.lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    @Test func holdingOnOneThread_neverHoldsAnotherThreadsLines() {
        let capture = LogCapture()
        let logger = Logger(label: "t", sink: capture.sink())
        onOwnThread {
            LogSink.holdLines()
            logger.info("held")
            let other = DispatchSemaphore(value: 0)
            Thread {
                logger.info("not held")
                other.signal()
            }.start()
            other.wait()
            #expect(capture.lines.count == 1 && capture.lines[0].contains("not held"))
        }
        // Releasing at the end of the thread wrote the held line.
        #expect(capture.lines.count == 2 && capture.lines[1].contains("t: held"))
    }

    @Test func aThreadThatEndsHoldingLines_stillWritesThem() {
        let capture = LogCapture()
        let logger = Logger(label: "t", sink: capture.sink())
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            LogSink.holdLines()
            logger.info("last words")
            done.signal()
            // Ends without releasing: the thread's exit writes the line.
        }
        thread.start()
        done.wait()
        let deadline = ContinuousClock.now + .seconds(2)
        while capture.lines.isEmpty && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(capture.lines.count == 1 && capture.lines[0].contains("t: last words"))
    }

    @Test func linesForAnotherSink_writeTheHeldOnesFirst() {
        let first = LogCapture()
        let second = LogCapture()
        let one = Logger(label: "one", sink: first.sink())
        let two = Logger(label: "two", sink: second.sink())
        onOwnThread {
            LogSink.holdLines()
            one.info("a")
            two.info("b")
            // Switching sinks wrote the first sink's line; the second's is held.
            #expect(first.lines.count == 1 && second.lines.isEmpty)
        }
        #expect(second.lines.count == 1)
    }

    @Test func manyHeldLines_areWrittenOncePastTheThreshold() {
        let capture = LogCapture()
        let logger = Logger(label: "t", sink: capture.sink())
        let value = String(repeating: "v", count: 1000)
        onOwnThread {
            LogSink.holdLines()
            for index in 0..<100 { logger.info("line \(index)", metadata: ["k": value]) }
            // 100 lines of about 1 KB: more than 64 KB, so some were written without waiting.
            #expect(!capture.lines.isEmpty)
            #expect(capture.lines.count < 100)
        }
        #expect(capture.lines.count == 100)
        #expect(capture.lines.enumerated().allSatisfy { index, line in line.contains("t: line \(index) ") })
    }

    @Test func heldLinesToADescriptor_arriveWholeAndInOrder() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let sink = LogSink(format: .text, descriptor: ends[1])
        let logger = Logger(label: "t", sink: sink)
        onOwnThread {
            LogSink.holdLines()
            logger.info("one")
            logger.info("two")
            LogSink.writeHeldLines()
        }
        close(ends[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(ends[0], &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        close(ends[0])
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("info t: one") == true && lines.last?.hasSuffix("info t: two") == true)
    }

    @Test func actionsAfterHeldLines_waitForTheWrite_onlyWhenHoldingWithDeferral() {
        let capture = LogCapture()
        let logger = Logger(label: "t", sink: capture.sink())
        let seenByActions = LockedValue<[Int]>([])
        onOwnThread {
            // As the store's completion thread: each caller's line is logged, then its answer waits.
            LogSink.holdLines(deferringActions: true)
            logger.info("event stored", metadata: ["event.id": "evt_1"])
            LogSink.afterHeldLines { seenByActions.withLock { $0.append(capture.lines.count) } }
            logger.info("event stored", metadata: ["event.id": "evt_2"])
            LogSink.afterHeldLines { seenByActions.withLock { $0.append(capture.lines.count) } }
            #expect(seenByActions.withLock { $0 }.isEmpty)
            LogSink.releaseLines()
            // Both answers ran after both lines were written, in the order given.
            #expect(seenByActions.withLock { $0 } == [2, 2])

            // Holding without deferral (an event loop): the action runs at once, lines still held.
            LogSink.holdLines()
            logger.info("held")
            LogSink.afterHeldLines { seenByActions.withLock { $0.append(capture.lines.count) } }
            #expect(seenByActions.withLock { $0 } == [2, 2, 2])
            LogSink.releaseLines()
            // Not holding: at once.
            LogSink.afterHeldLines { seenByActions.withLock { $0.append(capture.lines.count) } }
            #expect(seenByActions.withLock { $0 } == [2, 2, 2, 3])
        }
    }
}
