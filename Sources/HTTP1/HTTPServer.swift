#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WebhookSupport

/// An HTTP/1.1 server: `eventLoopCount` threads, each running an epoll loop over its own descriptor of
/// one shared listening socket and the connections it serves (a loop that accepts a connection while
/// another holds fewer hands it over, `LoopPeers`), answering through one responder. The
/// socket is bound once, without `SO_REUSEPORT`, so a port another process holds fails `start()` with
/// EADDRINUSE instead of being shared.
/// Blocking calls (`epoll_wait`) happen only on those dedicated threads, never on Swift's
/// cooperative pool.
public final class HTTPServer: Sendable {
    /// The server's lifecycle.
    private enum State: Sendable {
        /// Made, not started.
        case idle
        /// Loops running; `group` is left by each loop's thread when it exits.
        case running(mailboxes: [LoopMailbox], group: DispatchGroup)
        /// `shutdown` in progress.
        case stopping(group: DispatchGroup)
        /// Stopped, or shut down before it started.
        case stopped
    }

    /// Where and how to listen.
    public let configuration: HTTPServerConfiguration
    /// The application.
    private let responder: any HTTPResponder
    /// Told about every response written.
    private let observer: (any HTTPServerObserver)?
    /// Where log records go.
    private let logger: Logger
    /// Open connections across loops, and their cap.
    private let counter: ConnectionCounter
    /// The lifecycle, behind one lock.
    private let state = LockedValue(State.idle)

    /// Creates a server; nothing listens until `start()`.
    /// - Parameters:
    ///   - configuration: address, loop count and limits.
    ///   - responder: answers every request.
    ///   - logger: receives the server's records (protocol errors at debug, refusals at warning).
    ///   - observer: told about every response, the server's own included (for metrics).
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger, observer: (any HTTPServerObserver)? = nil) {
        self.configuration = configuration
        self.responder = responder
        self.observer = observer
        self.logger = logger
        counter = ConnectionCounter(limit: configuration.limits.maxConnections)
    }

    /// Connections open now, across all loops.
    public var openConnectionCount: Int { counter.value }

    /// Binds the listening socket, starts the loop threads and returns the bound port (the kernel's
    /// choice when the configured port is 0). Call once.
    @discardableResult
    public func start() throws(SystemCallError) -> Int {
        let canStart = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            return true
        }
        guard canStart else { throw SystemCallError(operation: "start HTTP server (already started)", code: EALREADY) }
        let loopCount = max(1, configuration.eventLoopCount)
        var parts: [EventLoop.Parts] = []
        var port = configuration.port
        let prefix = String(UInt32.random(in: 0..<(36 * 36 * 36 * 36)), radix: 36)
        do throws(SystemCallError) {
            // One socket, bound once: a busy port is an error here, never a silently shared port.
            let listener = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.listenBacklog)
            // Each loop watches and closes its own descriptor of that socket; this one closes here.
            defer { listener.close() }
            port = try listener.localPort()
            for index in 0..<loopCount {
                parts.append(try Self.makeParts(
                    index: index, listener: try listener.duplicate(), limits: configuration.limits, responder: responder,
                    observer: observer, logger: logger, counter: counter, requestIDPrefix: prefix
                ))
            }
        } catch {
            for part in parts {
                part.listener.close()
                _ = part.mailbox.close()
                _ = Glibc.close(part.epollDescriptor)
            }
            throw error
        }
        let group = DispatchGroup()
        let peers = LoopPeers(mailboxes: parts.map(\.mailbox))
        for part in parts {
            group.enter()
            let thread = Thread {
                EventLoop(parts: part, peers: peers).run()
                group.leave()
            }
            thread.name = "http-loop-\(part.index)"
            thread.start()
        }
        state.withLock { $0 = .running(mailboxes: parts.map(\.mailbox), group: group) }
        logger.debug("listening", metadata: [
            "address": "\(configuration.host):\(port)", "loops": String(loopCount),
        ])
        return port
    }

    /// Creates a loop's epoll instance and eventfd and registers the listener and the eventfd.
    private static func makeParts(
        index: Int, listener: Socket, limits: HTTPLimits, responder: any HTTPResponder,
        observer: (any HTTPServerObserver)?, logger: Logger, counter: ConnectionCounter, requestIDPrefix: String
    ) throws(SystemCallError) -> EventLoop.Parts {
        var epoll: Int32 = -1
        var wake: Int32 = -1
        do throws(SystemCallError) {
            epoll = try Epoll.create()
            wake = try systemCall("eventfd") { LinuxCalls.eventFD(0, LinuxCalls.closeOnExec | LinuxCalls.eventNonBlocking) }
            try Epoll.add(listener.descriptor, events: EventLoop.listenerEvents, token: EventLoop.listenerToken, to: epoll)
            try Epoll.add(wake, events: LinuxCalls.epollIn, token: EventLoop.wakeToken, to: epoll)
        } catch {
            listener.close()
            if epoll >= 0 { _ = Glibc.close(epoll) }
            if wake >= 0 { _ = Glibc.close(wake) }
            throw error
        }
        return EventLoop.Parts(
            index: index, listener: listener, epollDescriptor: epoll, mailbox: LoopMailbox(wakeDescriptor: wake),
            limits: limits, responder: responder, observer: observer, logger: logger, counter: counter, requestIDPrefix: requestIDPrefix
        )
    }

    /// Stops accepting at once, lets requests in flight finish and their responses be written for up
    /// to `gracePeriod` (each then closes its connection), closes what remains, and returns when every
    /// loop thread has exited. Idle keep-alive connections close immediately. Safe to call more than
    /// once, from any thread except a loop's own; it blocks the caller, so call it from a thread of its
    /// own (a signal handler's queue), not from Swift concurrency's pool.
    public func shutdown(gracePeriod: Duration) {
        let (mailboxes, group) = state.withLock { state -> ([LoopMailbox], DispatchGroup?) in
            switch state {
            case .idle, .stopped:
                state = .stopped
                return ([], nil)
            case .running(let mailboxes, let group):
                state = .stopping(group: group)
                return (mailboxes, group)
            case .stopping(let group):
                return ([], group)
            }
        }
        guard let group else { return }
        if !mailboxes.isEmpty {
            logger.debug("shutting down", metadata: ["open_connections": String(openConnectionCount)])
        }
        let deadline = ContinuousClock.now + gracePeriod
        for mailbox in mailboxes { mailbox.post(.shutdown(deadline: deadline)) }
        group.wait()
        state.withLock { $0 = .stopped }
    }
}
