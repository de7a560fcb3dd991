import Foundation

/// A metric family's series looked up by a typed key instead of label text: the first use of a key
/// asks the registry (which builds the label text), later uses are one dictionary read. For hot
/// paths (every request, every handler run) where building `{type="…",livemode="…"}` each time
/// would cost more than the increment.
///
/// An `NSLock` rather than `Synchronization.Mutex`, so that ThreadSanitizer sees the lock (see
/// scripts/tsan-suppressions.txt).
public final class LabeledSeries<Key: Hashable & Sendable, Series: Sendable>: @unchecked Sendable {
    // @unchecked: `cache` is read and written only under `lock`.
    private let lock = NSLock()
    private var cache: [Key: Series] = [:]
    private let make: @Sendable (Key) -> Series

    /// Series made by `make` on a key's first use (`make` must return the same series for the same
    /// key, as the registry does).
    public init(_ make: @escaping @Sendable (Key) -> Series) {
        self.make = make
    }

    /// The series for `key`.
    public subscript(key: Key) -> Series {
        if let found = lock.withLock({ cache[key] }) { return found }
        let made = make(key)
        lock.withLock { cache[key] = made }
        return made
    }
}
