/// The first bytes of one of a program's output streams, and how many it wrote in all.
struct CapturedOutput: Sendable, Equatable {
    /// The kept bytes, at most `limit`.
    private(set) var bytes: [UInt8] = []
    /// Every byte written, kept or not.
    private(set) var total = 0
    /// How many bytes are kept.
    let limit: Int

    /// An empty capture keeping up to `limit` bytes.
    init(limit: Int) { self.limit = limit }

    /// Adds what was read; bytes past the limit are counted, not kept.
    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        total += chunk.count
        let room = limit - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
    }

    /// Whether bytes were dropped.
    var isTruncated: Bool { total > bytes.count }

    /// The kept bytes as text (invalid UTF-8 replaced), with a note when some were dropped.
    var text: String {
        var text = String(decoding: bytes, as: UTF8.self)
        if isTruncated { text += "\n[… \(total - bytes.count) more bytes not kept]" }
        return text
    }
}
