/// An array kept in fixed-size chunks, so that appending never copies what is already stored: a plain
/// array holding hundreds of thousands of events copies all of them each time it doubles, under the
/// memory store's lock, and every request waiting meanwhile sees it in its latency.
struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    /// Elements per chunk, a power of two.
    static var chunkSize: Int { 1 << chunkShift }
    /// log2 of `chunkSize`.
    private static var chunkShift: Int { 12 }

    /// The chunks, each full but the last.
    private var chunks: [[Element]] = []
    /// The number of elements.
    private(set) var count = 0

    /// An empty array.
    init() {}

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            return chunks[position >> Self.chunkShift][position & (Self.chunkSize - 1)]
        }
        _modify {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            yield &chunks[position >> Self.chunkShift][position & (Self.chunkSize - 1)]
        }
    }

    /// Adds `element` at the end.
    mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    /// Removes the elements `shouldBeRemoved` selects, keeping the others in order.
    mutating func removeAll(where shouldBeRemoved: (Element) throws -> Bool) rethrows {
        var kept = ChunkedArray()
        for element in self where try !shouldBeRemoved(element) {
            kept.append(element)
        }
        self = kept
    }
}
