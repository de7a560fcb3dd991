#if canImport(Glibc)
import Glibc
#endif

/// Log lines a thread holds instead of writing each at once (see `LogSink.holdLines()`): an event
/// loop holds the lines of one pass over its ready connections and writes them with one `write(2)`
/// just before it sends any response, so a burst of requests costs one log write, not one per line,
/// and no response leaves before the lines logged while answering it are written.
///
/// One per thread, reached through a pthread key; only its own thread ever touches it.
final class HeldLogLines {
    /// Bytes held past which they are written at once, so a long pass cannot grow the buffer.
    static let flushThreshold = 64 * 1024

    /// The sink the held lines go to (a thread holds lines for one sink at a time; a line for another
    /// sink writes these first).
    var sink: LogSink?
    /// The held lines, back to back.
    var bytes: [UInt8] = []
    /// Where each held line ends in `bytes`, for sinks that take lines one by one.
    var lineEnds: [Int] = []
    /// Whether the thread is holding lines now.
    var isHolding = false
    /// Whether `LogSink.afterHeldLines` actions wait for the held lines' write (see `LogSink.holdLines(deferringActions:)`).
    var defersActions = false
    /// Actions to run once the lines held before them are written, in the order given.
    var actions: [() -> Void] = []

    /// The pthread key under which each thread keeps its instance.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // At thread exit: write whatever the thread still holds (a line is never dropped for want of a
        // `releaseLines()`), then free the instance.
        let result = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<HeldLogLines>.fromOpaque(pointer).takeRetainedValue().write()
        }
        precondition(result == 0, "pthread_key_create failed")
        return key
    }()

    /// This thread's instance, if it ever held lines.
    static var current: HeldLogLines? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<HeldLogLines>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// This thread's instance, made on first use.
    static var currentOrNew: HeldLogLines {
        if let current { return current }
        let made = HeldLogLines()
        pthread_setspecific(key, Unmanaged.passRetained(made).toOpaque())
        return made
    }

    /// Keeps `line` for `sink`, writing what is held first if it is for another sink or too much.
    func hold(_ line: [UInt8], for sink: LogSink) {
        if self.sink !== sink { write() }
        self.sink = sink
        bytes.append(contentsOf: line)
        lineEnds.append(bytes.count)
        if bytes.count >= Self.flushThreshold { write() }
    }

    /// Writes the held lines to their sink and forgets them, then runs the actions that waited for them.
    func write() {
        if let sink, !bytes.isEmpty {
            sink.writeLines(bytes, lineEnds: lineEnds)
            bytes.removeAll(keepingCapacity: bytes.capacity <= 2 * Self.flushThreshold)
            lineEnds.removeAll(keepingCapacity: true)
        }
        guard !actions.isEmpty else { return }
        let waiting = actions
        actions.removeAll(keepingCapacity: true)
        for action in waiting { action() }
    }
}
