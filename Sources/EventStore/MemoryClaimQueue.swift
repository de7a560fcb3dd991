/// The memory store's index of claimable events, so that a claim looks only at the events that can
/// be next instead of scanning everything ever stored.
///
/// An event can be claimed when it is pending, unclaimed and due, and it is the pending event about its
/// object that Stripe created first (ties by arrival) while no event about that object is claimed
/// (`EventStore.claimDue`). So only the
/// head of each object's queue of pending events, and every pending event about no object, is a
/// candidate. Candidates wait in `ready` (oldest first) or, when not yet due, in `delayed` (soonest
/// first). Both heaps may hold stale positions (an event claimed, finished or no longer its object's
/// head since it was pushed): each is checked against the entries when popped, and dropped if stale.
/// Every change that may make an event claimable pushes it again, so none is ever missed.
struct MemoryClaimQueue {
    /// The pending events about one object.
    private struct ObjectQueue {
        /// Positions of the pending events in Stripe's `created` order (ties by arrival), from `start` on.
        var positions: [Int] = []
        /// Each position's `created`, parallel to `positions`.
        var created: [Int64] = []
        /// The first live element of `positions` (the head is popped by advancing it).
        var start = 0
        /// How many of the object's pending events are claimed.
        var claimed = 0

        /// The oldest pending event's position.
        var head: Int? { start < positions.count ? positions[start] : nil }

        /// Whether nothing about the object is pending or claimed any more.
        var isIdle: Bool { start == positions.count && claimed == 0 }

        /// Removes `position` (normally the head); compacts when the popped prefix grows large.
        mutating func remove(_ position: Int) {
            if head == position {
                start += 1
                if start >= 64 && start * 2 >= positions.count {
                    positions.removeFirst(start)
                    created.removeFirst(start)
                    start = 0
                }
            } else if let index = positions[start...].firstIndex(of: position) {
                positions.remove(at: index)
                created.remove(at: index)
            }
        }

        /// Inserts `position` after every pending event created at or before `createdAt` (usually at
        /// the end: Stripe mostly delivers in order); returns whether it became the head.
        mutating func insert(_ position: Int, createdAt: Int64) -> Bool {
            var index = positions.count
            while index > start, created[index - 1] > createdAt { index -= 1 }
            positions.insert(position, at: index)
            created.insert(createdAt, at: index)
            return index == start
        }
    }

    /// A candidate that is not due yet.
    private struct Delayed: Comparable {
        /// When it is due, Unix ms.
        let due: Int64
        /// Its position in the entries.
        let position: Int

        static func < (lhs: Delayed, rhs: Delayed) -> Bool {
            (lhs.due, lhs.position) < (rhs.due, rhs.position)
        }
    }

    /// Queues of pending events by object id.
    private var objects: [String: ObjectQueue] = [:]
    /// Candidates that may be due, by position (positions follow receive order).
    private var ready = MinimumHeap<Int>()
    /// Candidates waiting for their due time.
    private var delayed = MinimumHeap<Delayed>()

    /// An empty queue.
    init() {}

    /// Records a newly stored pending event at `position` (the last one).
    mutating func added(_ event: StoredEvent, at position: Int) {
        guard let object = event.record.objectID else {
            ready.push(position)
            return
        }
        // An event created before the object's pending head (Stripe delivered it late) goes first;
        // the old head, no longer the head, is dropped when popped from `ready`.
        if objects[object, default: ObjectQueue()].insert(position, createdAt: event.record.created) { ready.push(position) }
    }

    /// The next claimable event's position, which the caller must then claim; nil when none is.
    /// Counts the claim against the event's object at once, so calling again never returns another
    /// event about the same object.
    mutating func nextClaimable(now: Int64, in entries: MemoryEventStore.Entries) -> Int? {
        while let soonest = delayed.minimum, soonest.due <= now {
            _ = delayed.popMinimum()
            ready.push(soonest.position)
        }
        while let position = ready.popMinimum() {
            guard position < entries.count else { continue }
            let event = entries[position].event
            guard event.status == .pending, event.claimedBy == nil else { continue }
            if let object = event.record.objectID {
                guard let queue = objects[object], queue.head == position, queue.claimed == 0 else { continue }
            }
            if let due = event.nextAttemptAt, due > now {
                delayed.push(Delayed(due: due, position: position))
                continue
            }
            if let object = event.record.objectID { objects[object]?.claimed += 1 }
            return position
        }
        return nil
    }

    /// Records that the claimed event at `position` stopped being pending (done or failed).
    mutating func finished(_ event: StoredEvent, at position: Int) {
        guard let object = event.record.objectID else { return }
        guard var queue = objects.removeValue(forKey: object) else { return }
        queue.remove(position)
        queue.claimed = max(0, queue.claimed - 1)
        if let head = queue.head { ready.push(head) }
        if !queue.isIdle { objects[object] = queue }
    }

    /// Records that the claimed event at `position` is pending again, due at its `nextAttemptAt`.
    mutating func released(_ event: StoredEvent, at position: Int) {
        guard let object = event.record.objectID else {
            ready.push(position)
            return
        }
        guard var queue = objects[object] else { return }
        queue.claimed = max(0, queue.claimed - 1)
        objects[object] = queue
        if let head = queue.head { ready.push(head) }
    }

    /// Rebuilds the queue from `entries` after changes made without it (requeues, released claims,
    /// pruning, which moves positions).
    mutating func rebuild(from entries: MemoryEventStore.Entries) {
        objects = [:]
        ready.removeAll()
        delayed.removeAll()
        for (position, entry) in entries.enumerated() where entry.event.status == .pending {
            guard let object = entry.event.record.objectID else {
                if !entry.claimed { ready.push(position) }
                continue
            }
            _ = objects[object, default: ObjectQueue()].insert(position, createdAt: entry.event.record.created)
            if entry.claimed { objects[object, default: ObjectQueue()].claimed += 1 }
        }
        for queue in objects.values {
            if let head = queue.head { ready.push(head) }
        }
    }
}
