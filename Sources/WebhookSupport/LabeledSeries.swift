import Synchronization

/// A metric family's series looked up by a typed key instead of label text: the first use of a key
/// asks the registry (which builds the label text), later uses are one dictionary read. For hot
/// paths (every request, every handler run) where building `{type="…",livemode="…"}` each time
/// would cost more than the increment.
public final class LabeledSeries<Key: Hashable & Sendable, Series: Sendable>: Sendable {
    private let cache = Mutex<[Key: Series]>([:])
    private let make: @Sendable (Key) -> Series

    /// Series made by `make` on a key's first use (`make` must return the same series for the same
    /// key, as the registry does).
    public init(_ make: @escaping @Sendable (Key) -> Series) {
        self.make = make
    }

    /// The series for `key`.
    public subscript(key: Key) -> Series {
        if let found = cache.withLock({ $0[key] }) { return found }
        let made = make(key)
        cache.withLock { $0[key] = made }
        return made
    }
}
