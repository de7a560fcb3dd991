#if canImport(Glibc)
import Glibc
#endif
import WebhookSupport

/// One event-loop thread: its own descriptor of the server's one listening socket (registered with
/// `EPOLLEXCLUSIVE`, so a new connection wakes one loop rather than all), an epoll instance, and the
/// connections it serves: those it accepted, and those another loop accepted and handed over because
/// this loop held fewer (`LoopPeers`). Everything here is touched only by that thread; other threads talk to it
/// through its `LoopMailbox`.
///
/// Connections are registered once, edge-triggered, for `EPOLLIN | EPOLLOUT | EPOLLRDHUP`, so no
/// `epoll_ctl` is needed per request: the connection remembers that its socket may be readable until a
/// read comes back short or with EAGAIN. The listener and the eventfd are level-triggered.
final class EventLoop {
    /// What a loop needs from the server, made before its thread starts.
    struct Parts: Sendable {
        /// The loop's index, for thread names and request ids.
        let index: Int
        /// The loop's own descriptor of the shared listening socket.
        let listener: Socket
        /// The epoll descriptor, with the listener and the eventfd registered.
        let epollDescriptor: Int32
        /// The loop's mailbox, owning the eventfd.
        let mailbox: LoopMailbox
        /// Request limits.
        let limits: HTTPLimits
        /// The application.
        let responder: any HTTPResponder
        /// Told about every response.
        let observer: (any HTTPServerObserver)?
        /// Where log records go.
        let logger: Logger
        /// The server-wide connection count.
        let counter: ConnectionCounter
        /// A per-server random prefix for request ids.
        let requestIDPrefix: String
    }

    /// Epoll token of the listening socket.
    static let listenerToken = UInt64.max
    /// Epoll events of the listening socket: level-triggered readability, exclusive among the loops.
    static let listenerEvents = LinuxCalls.epollIn | LinuxCalls.epollExclusive
    /// Epoll token of the eventfd.
    static let wakeToken = UInt64.max - 1
    /// Bytes read per `recv`.
    static let readBufferSize = 64 * 1024
    /// Connections accepted per listener wake-up, so accepting cannot starve served connections.
    static let acceptBatch = 64
    /// How long accepting pauses when the process is out of descriptors (EMFILE), instead of spinning.
    static let acceptBackoff = Duration.milliseconds(100)

    /// The loop's index.
    let index: Int
    /// Request limits.
    let limits: HTTPLimits
    /// The application.
    let responder: any HTTPResponder
    /// Told about every response.
    let observer: (any HTTPServerObserver)?
    /// Logger with `loop` metadata.
    let logger: Logger
    /// The loop's mailbox.
    let mailbox: LoopMailbox
    /// The server-wide connection count.
    let counter: ConnectionCounter
    /// The other loops, to spread accepted connections across.
    let peers: LoopPeers
    /// This loop's entry in `peers.loads`.
    private let load: LoopPeers.Load
    /// The epoll instance.
    let epoll: Epoll
    /// The listening socket, until shutdown.
    private var listener: Socket?
    /// While accepting is paused after EMFILE: when to resume.
    private var acceptResumesAt: ContinuousClock.Instant?
    /// Connections by table index; nil entries are free.
    private var connections: [HTTPConnection?] = []
    /// Free table indexes.
    private var freeIndexes: [Int] = []
    /// Distinguishes successive connections in the same table entry, so a stale event or completion
    /// never reaches a newer connection.
    private var generation: UInt32 = 0
    /// Shared receive buffer: each `recv` lands here before the decoder copies it.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// The time of the current iteration, read once after `epoll_wait`.
    private(set) var now = ContinuousClock.now
    /// The earliest deadline any connection may have; the timer scan runs when it passes.
    private var nextDeadline: ContinuousClock.Instant?
    /// After a shutdown message: when remaining connections are closed and the loop exits.
    private(set) var graceDeadline: ContinuousClock.Instant?
    /// The cached `Date` header line.
    private var date = HTTPDate()
    /// Prefix of this loop's request ids.
    private let requestIDPrefix: String
    /// Requests dispatched by this loop, for request ids.
    private var requestCount: UInt64 = 0
    /// Reused message array.
    private var messages: [LoopMailbox.Message] = []
    /// The loop is in its pass over ready connections and messages: connections queue their output
    /// for `sendCollectedOutput()` instead of sending it.
    private(set) var isCollectingOutput = false
    /// Connections with output queued during the current pass.
    private var collected: [HTTPConnection] = []

    /// Builds the loop from the server's parts and its peers (which hold its own mailbox at
    /// `parts.index`); call `run()` on its thread.
    init(parts: Parts, peers: LoopPeers) {
        index = parts.index
        limits = parts.limits
        responder = parts.responder
        observer = parts.observer
        var logger = parts.logger
        logger[metadataKey: "loop"] = String(parts.index)
        self.logger = logger
        mailbox = parts.mailbox
        counter = parts.counter
        self.peers = peers
        load = peers.loads[parts.index]
        epoll = Epoll(descriptor: parts.epollDescriptor)
        listener = parts.listener
        requestIDPrefix = parts.requestIDPrefix + String(parts.index, radix: 36) + "-"
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Whether the server is shutting down.
    var isDraining: Bool { graceDeadline != nil }

    /// Runs until shutdown completes, then closes everything the loop owns.
    func run() {
        while true {
            let mayBlock = mailbox.prepareToSleep()
            let ready: Int
            do {
                ready = try epoll.wait(timeoutMilliseconds: mayBlock ? waitTimeout() : 0)
            } catch {
                logger.critical("event loop stopped", metadata: ["error": error.description])
                break
            }
            mailbox.takeMessages(into: &messages)
            now = .now
            // One pass over what is ready: responses are queued, not sent, and log lines are held,
            // so that the pass's lines take one write(2) and precede every response of the pass.
            LogSink.holdLines()
            isCollectingOutput = true
            for event in 0..<ready {
                let (flags, token) = epoll.event(at: event)
                switch token {
                case Self.listenerToken: acceptConnections()
                case Self.wakeToken: mailbox.acknowledgeWakeup()
                default: connection(for: token)?.handle(flags: flags)
                }
            }
            for message in messages { handle(message) }
            messages.removeAll(keepingCapacity: true)
            isCollectingOutput = false
            sendCollectedOutput()
            if let resume = acceptResumesAt, resume <= now { resumeAccepting() }
            if let deadline = nextDeadline, deadline <= now { fireTimers() }
            // Nothing is held while the loop sleeps in epoll_wait.
            LogSink.releaseLines()
            if let graceDeadline, connections.allSatisfy({ $0 == nil }) || graceDeadline <= now { break }
        }
        tearDown()
    }

    /// Called by a connection with output during the pass: it is sent by `sendCollectedOutput()`.
    func collectOutput(of connection: HTTPConnection) {
        collected.append(connection)
    }

    /// Writes the log lines held during the pass (one write for them all), then lets every connection
    /// that queued output send it and go on (read further, close, set its timer).
    private func sendCollectedOutput() {
        LogSink.writeHeldLines()
        for connection in collected {
            connection.awaitsSendPass = false
            connection.drive()
        }
        collected.removeAll(keepingCapacity: true)
    }

    /// The `epoll_wait` timeout: until the next deadline, rounded up to whole milliseconds.
    private func waitTimeout() -> Int32 {
        var earliest = nextDeadline
        if let graceDeadline, earliest.map({ graceDeadline < $0 }) ?? true { earliest = graceDeadline }
        if let acceptResumesAt, earliest.map({ acceptResumesAt < $0 }) ?? true { earliest = acceptResumesAt }
        guard let earliest else { return -1 }
        let wait = earliest - .now
        if wait <= .zero { return 0 }
        let (seconds, attoseconds) = wait.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// The live connection an epoll or completion token names, if it is still open.
    func connection(for token: UInt64) -> HTTPConnection? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < connections.count, let connection = connections[slot], connection.token == token else { return nil }
        return connection
    }

    /// Handles one message from another thread.
    private func handle(_ message: LoopMailbox.Message) {
        switch message {
        case .response(let slot, let response):
            connection(for: slot.connectionToken)?.complete(slot, with: response)
        case .shutdown(let deadline):
            beginShutdown(deadline: deadline)
        case .adopt(let socket, let remoteAddress):
            if isDraining {
                // Shutting down: a connection handed over now would be closed as idle at once.
                discardAdopted(socket)
            } else {
                register(socket, remoteAddress: remoteAddress)
            }
        }
    }

    /// Closes a handed-over connection this loop will not serve, and uncounts it.
    private func discardAdopted(_ socket: Socket) {
        socket.close()
        counter.decrement()
        load.decrement()
    }

    /// Accepts pending connections, up to a batch.
    private func acceptConnections() {
        guard let listener else { return }
        for _ in 0..<Self.acceptBatch {
            let accepted: (socket: Socket, remoteAddress: String)?
            do {
                accepted = try listener.accept()
            } catch where error.code == EMFILE || error.code == ENFILE || error.code == ENOBUFS || error.code == ENOMEM {
                logger.error("accept paused: out of resources", metadata: ["error": error.description])
                epoll.remove(listener.descriptor)
                acceptResumesAt = now + Self.acceptBackoff
                return
            } catch {
                // ECONNABORTED and friends: that one connection is gone, the next may be fine.
                logger.debug("accept failed", metadata: ["error": error.description])
                continue
            }
            guard let (socket, remoteAddress) = accepted else { return }
            guard counter.tryIncrement() else {
                reject(socket, remoteAddress: remoteAddress)
                continue
            }
            socket.setNoDelay()
            if let peer = peers.handoffTarget(from: index) {
                // Counted for the peer now, so the rest of this batch sees it.
                peers.loads[peer].increment()
                if peers.mailboxes[peer].post(.adopt(socket, remoteAddress: remoteAddress)) { continue }
                peers.loads[peer].decrement()
            }
            load.increment()
            register(socket, remoteAddress: remoteAddress)
        }
    }

    /// Over `maxConnections`: a best-effort 503 and an immediate close, so the cap holds even under a
    /// flood. Whatever the client already sent is read first so the close is a FIN, not a reset.
    private func reject(_ socket: Socket, remoteAddress: String) {
        var output: [UInt8] = []
        date.update()
        _ = HTTPProtocolError(.tooManyConnections).response.encode(into: &output, connection: .close, isHeadRequest: false, date: date.line)
        _ = try? socket.receive(into: readBuffer)
        _ = output.withUnsafeBytes { try? socket.send($0) }
        socket.shutdownOutput()
        socket.close()
        observer?.responded(status: HTTPProtocolError(.tooManyConnections).status.code, duration: .zero, protocolError: HTTPProtocolError.Reason.tooManyConnections.rawValue)
        logger.warning("connection refused: too many connections", metadata: [
            "client.address": remoteAddress, "limit": String(limits.maxConnections),
        ])
    }

    /// Adds an accepted socket, already counted in `counter` and `load`, to the table and to epoll.
    private func register(_ socket: Socket, remoteAddress: String) {
        let slot = freeIndexes.popLast() ?? {
            connections.append(nil)
            return connections.count - 1
        }()
        generation &+= 1
        let token = UInt64(generation) << 32 | UInt64(slot)
        let connection = HTTPConnection(socket: socket, token: token, remoteAddress: remoteAddress, loop: self)
        do {
            try epoll.add(socket.descriptor, events: LinuxCalls.epollIn | LinuxCalls.epollOut | LinuxCalls.epollReadHangUp | LinuxCalls.epollEdgeTriggered, token: token)
        } catch {
            logger.error("cannot watch connection", metadata: ["error": error.description, "client.address": remoteAddress])
            socket.close()
            counter.decrement()
            load.decrement()
            freeIndexes.append(slot)
            return
        }
        connections[slot] = connection
        connection.start()
    }

    /// Called by a connection that closed its socket: frees its table entry.
    func removeConnection(_ connection: HTTPConnection) {
        let slot = Int(connection.token & 0xFFFF_FFFF)
        connections[slot] = nil
        freeIndexes.append(slot)
        counter.decrement()
        load.decrement()
    }

    /// Makes sure the timer scan runs no later than `deadline`.
    func noteDeadline(_ deadline: ContinuousClock.Instant) {
        if nextDeadline.map({ deadline < $0 }) ?? true { nextDeadline = deadline }
    }

    /// Fires every passed connection deadline and finds the next one. A full scan, run only when the
    /// earliest recorded deadline passes; deadlines that moved later are simply seen again then.
    private func fireTimers() {
        nextDeadline = nil
        for connection in connections {
            guard let connection, let deadline = connection.deadline else { continue }
            if deadline <= now { connection.timerFired() }
            if connection.isOpen, let deadline = connection.deadline { noteDeadline(deadline) }
        }
    }

    /// Re-registers the listener after an EMFILE pause.
    private func resumeAccepting() {
        acceptResumesAt = nil
        guard let listener else { return }
        do {
            try epoll.add(listener.descriptor, events: Self.listenerEvents, token: Self.listenerToken)
        } catch {
            logger.error("cannot resume accepting", metadata: ["error": error.description])
        }
    }

    /// Stops accepting, closes idle connections, and lets the rest finish until `deadline`.
    private func beginShutdown(deadline: ContinuousClock.Instant) {
        graceDeadline = deadline
        if let listener {
            epoll.remove(listener.descriptor)
            listener.close()
            self.listener = nil
        }
        for connection in connections {
            connection?.drainForShutdown()
        }
    }

    /// Closes every connection, the mailbox's eventfd and (on deinit) the epoll descriptor.
    private func tearDown() {
        for connection in connections {
            connection?.close()
        }
        listener?.close()
        listener = nil
        for case .adopt(let socket, _) in mailbox.close() { discardAdopted(socket) }
    }

    /// The cached `Date:` line for the current second.
    func dateLine() -> [UInt8] {
        date.update()
        return date.line
    }

    /// A new request id: the server prefix, this loop's index and a counter, all base 36 (`k3f9a-1b`).
    func nextRequestID() -> String {
        requestCount &+= 1
        return requestIDPrefix + String(requestCount, radix: 36)
    }
}
