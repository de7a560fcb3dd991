@testable import EventStore
import Testing

/// The memory store's chunked storage behaves like an array across chunk boundaries.
@Suite struct ChunkedArrayTests {
    @Test func appendReadWriteAndRemove_matchAPlainArray_acrossChunks() {
        let count = 3 * ChunkedArray<Int>.chunkSize + 7
        var chunked = ChunkedArray<Int>()
        var plain: [Int] = []
        for value in 0..<count {
            chunked.append(value)
            plain.append(value)
        }
        for position in stride(from: 0, to: count, by: 97) {
            chunked[position] *= -1
            plain[position] *= -1
        }
        #expect(Array(chunked) == plain)
        #expect(chunked.count == count)
        chunked.removeAll { $0 % 3 == 0 }
        plain.removeAll { $0 % 3 == 0 }
        #expect(Array(chunked) == plain)
        #expect(Array(chunked.reversed()) == plain.reversed())
        chunked.append(-1)
        #expect(chunked.last == -1)
    }
}
