/// A connection that comes back by itself: when PostgreSQL stops, restarts or becomes unreachable,
/// calls fail at once with `.unavailable` until the next reconnection attempt is due, and attempts
/// back off from `Options.reconnectDelay` up to `Options.maxReconnectDelay`. Used by one thread at a
/// time (the writer thread, the reader lock's holder, the listener thread).
final class PostgreSQLLink {
    /// Where and how to connect.
    private let target: PostgreSQLTarget
    /// The first and the longest wait between attempts.
    private let delays: (first: Duration, longest: Duration)
    /// The open connection, if any.
    private var connection: PostgreSQLConnection?
    /// When the next attempt may run, after a failed one.
    private var retryAt: ContinuousClock.Instant?
    /// The wait after the next failure.
    private var delay: Duration
    /// Why the last attempt failed.
    private var lastError: EventStoreError?
    /// Whether the connection was lost since it was last handed out (a reconnect follows).
    private(set) var reconnected = false

    /// A link to `target` that waits `first`, doubling up to `longest`, between failed attempts.
    init(target: PostgreSQLTarget, first: Duration, longest: Duration) {
        self.target = target
        self.delays = (first, longest)
        self.delay = first
    }

    /// The open connection, connecting first when there is none (or the last was lost) and an attempt
    /// is due; throws `.unavailable` while PostgreSQL cannot be reached.
    func open() throws(EventStoreError) -> PostgreSQLConnection {
        if let connection, !connection.isBroken { return connection }
        if connection != nil {
            connection?.close()
            connection = nil
            reconnected = true
        }
        if let retryAt, ContinuousClock.now < retryAt, let lastError {
            throw EventStoreError(.unavailable, "\(lastError.message) (reconnecting)")
        }
        do throws(EventStoreError) {
            let opened = try PostgreSQLConnection(parameters: target.parameters, label: target.label, setup: target.setup)
            connection = opened
            retryAt = nil
            lastError = nil
            delay = delays.first
            return opened
        } catch {
            lastError = error
            retryAt = .now + delay
            delay = min(delay * 2, delays.longest)
            reconnected = true
            throw error
        }
    }

    /// Whether there is a connection and it was lost.
    var isBroken: Bool { connection?.isBroken ?? false }

    /// Forgets the connection when it is lost, so that the next `open()` reconnects.
    func dropIfBroken() {
        guard let connection, connection.isBroken else { return }
        connection.close()
        self.connection = nil
        reconnected = true
    }

    /// Takes (and clears) the flag saying that the connection was lost since the last call.
    func takeReconnected() -> Bool {
        defer { reconnected = false }
        return reconnected
    }

    /// Closes the connection.
    func close() {
        connection?.close()
        connection = nil
    }
}
