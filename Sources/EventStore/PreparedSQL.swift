import WebhookSupport

/// A statement's SQL text with a slot number of its own, unique in the process, at which every
/// connection keeps it prepared: the hot statements are found by index instead of by hashing (and
/// comparing) their text, which is up to 1.5 KB. Declare each as a `static let`, so that its slot is
/// taken once; SQL built at run time (filters, pragmas) stays a `String`.
struct PreparedSQL: Sendable {
    /// The SQL text.
    let text: String
    /// Its index in each connection's slot array.
    let slot: Int

    /// The next free slot.
    private static let nextSlot = LockedValue(0)

    /// Takes the next slot for `text`.
    init(_ text: String) {
        self.text = text
        slot = Self.nextSlot.withLock { next in
            defer { next += 1 }
            return next
        }
    }
}
