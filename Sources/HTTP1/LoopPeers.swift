import Synchronization

/// What the event loops of one server know of each other: every loop's mailbox and how many
/// connections each holds. A loop that accepts a connection while another loop holds fewer hands the
/// socket to that loop, so connections spread evenly across the loops (and cores) however the
/// kernel's `EPOLLEXCLUSIVE` wake-ups fall: with a burst of connects, one loop's accept batch used to
/// take them all and serve every request on one core while the others idled.
final class LoopPeers: Sendable {
    /// The connections one loop holds (its own and those handed to it and not yet closed).
    final class Load: Sendable {
        /// The count.
        private let count = Atomic<Int>(0)

        /// Creates a zero count.
        init() {}

        /// The count now.
        var value: Int { count.load(ordering: .relaxed) }

        /// Counts one more connection.
        func increment() { count.add(1, ordering: .relaxed) }

        /// Counts one connection less.
        func decrement() { count.subtract(1, ordering: .relaxed) }
    }

    /// Every loop's mailbox, by loop index.
    let mailboxes: [LoopMailbox]
    /// Every loop's connection count, by loop index.
    let loads: [Load]

    /// The peers of loops with these mailboxes (index `i` is loop `i`'s).
    init(mailboxes: [LoopMailbox]) {
        self.mailboxes = mailboxes
        loads = mailboxes.map { _ in Load() }
    }

    /// The loop that should take a connection loop `index` just accepted: the least-loaded other loop
    /// when it holds fewer connections than `index` does, else nil (keep it). Counts are read without
    /// a lock; a stale count only makes one placement less even, never wrong.
    func handoffTarget(from index: Int) -> Int? {
        guard loads.count > 1 else { return nil }
        let mine = loads[index].value
        var best: Int?
        var bestLoad = mine
        for (peer, load) in loads.enumerated() where peer != index {
            let value = load.value
            if value < bestLoad {
                best = peer
                bestLoad = value
            }
        }
        return best
    }
}
