import EventStore
import Foundation
import WebhookSupport

/// The store's summary (events by status, claims, oldest pending event), read on a thread of its
/// own every `refreshInterval` and whenever someone asks: `/metrics` renders the latest reading and
/// never waits for the store (a stalled disk shows as a growing reading age, not a hung scrape), and
/// `/readyz` waits for a fresh reading only as long as its timeout.
final class StoreSnapshot: @unchecked Sendable {
    // @unchecked: `latest`, `readsStarted`, `requested` and `state` are guarded by `condition`.

    /// One summary read.
    struct Reading: Sendable {
        /// The summary, or why it could not be read.
        let summary: Result<EventStoreSummary, EventStoreError>
        /// When the read finished.
        let finishedAt: ContinuousClock.Instant
        /// Which read this was (1, 2, …), to wait for one that started after a request.
        let number: Int
    }

    /// The refresher's lifecycle.
    private enum State { case idle, running, stopped }

    /// How often the summary is read without being asked. Default 5 s.
    static let refreshInterval = Duration.seconds(5)

    private let store: any EventStore
    /// Told about every reading (the store gauges).
    private let onReading: @Sendable (Reading) -> Void
    private let condition = NSCondition()
    private var state = State.idle
    private var latest: Reading?
    private var readsStarted = 0
    private var requested = false

    /// Reads `store`'s summary once started; `onReading` hears of every reading on the refresher thread.
    init(store: any EventStore, onReading: @escaping @Sendable (Reading) -> Void = { _ in }) {
        self.store = store
        self.onReading = onReading
    }

    /// Starts the refresher thread (a dedicated thread: the read may block on the disk); idempotent.
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard state == .idle else { return }
        state = .running
        let thread = Thread { [self] in self.refresh() }
        thread.name = "webhookd-store-snapshot"
        thread.start()
    }

    /// Stops refreshing after the read in progress, without waiting for it.
    func stop() {
        condition.lock()
        state = .stopped
        condition.broadcast()
        condition.unlock()
    }

    /// The latest reading, if any; never blocks on the store.
    var current: Reading? {
        condition.lock()
        defer { condition.unlock() }
        return latest
    }

    /// Asks for a read now and returns its number, for `wait(for:until:)`: the first read to start
    /// after this call.
    func requestRefresh() -> Int {
        condition.lock()
        defer { condition.unlock() }
        requested = true
        condition.broadcast()
        return readsStarted + 1
    }

    /// Waits until read `number` (or a later one) has finished, or `deadline` passed; returns that
    /// reading, or `nil` when none came in time.
    func wait(for number: Int, until deadline: Date) -> Reading? {
        condition.lock()
        defer { condition.unlock() }
        while (latest?.number ?? 0) < number {
            if !condition.wait(until: deadline) { break }
        }
        guard let latest, latest.number >= number else { return nil }
        return latest
    }

    /// The refresher thread's body.
    private func refresh() {
        condition.lock()
        while state == .running {
            if !requested {
                _ = condition.wait(until: Date(timeIntervalSinceNow: DaemonMetrics.seconds(Self.refreshInterval)))
                guard state == .running else { break }
            }
            requested = false
            readsStarted += 1
            let number = readsStarted
            condition.unlock()
            let summary = Result { () throws(EventStoreError) in try store.summary() }
            let reading = Reading(summary: summary, finishedAt: .now, number: number)
            onReading(reading)
            condition.lock()
            latest = reading
            condition.broadcast()
        }
        condition.unlock()
    }
}
