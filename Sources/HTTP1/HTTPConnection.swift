import WebhookSupport

/// One client connection's state machine, driven by its event loop's thread only.
///
/// One request is with the responder at a time; requests pipelined behind it stay in the decoder until
/// its response is queued, so responses go out in request order (RFC 9112 §9.3.2). Responses queue in
/// one output buffer, flushed once no further request can be answered right away: a burst of pipelined
/// requests answered inline costs one `send`. While the loop passes over its ready connections the
/// flush waits for the loop's send pass, which first writes the log lines of the whole pass.
final class HTTPConnection {
    /// What the connection's deadline is for.
    enum TimerKind {
        /// Receiving a request's header section (from accept, or from its first byte).
        case header
        /// Receiving a body.
        case body
        /// Waiting for the responder.
        case response
        /// Waiting for a client to read a response.
        case write
        /// Keep-alive wait between requests.
        case idle
        /// Staged close: discarding input until the client closes.
        case linger
    }

    /// The request the responder is working on.
    struct InFlight {
        /// Where the completion lands.
        let slot: ResponseSlot
        /// The request's id, for logs.
        let requestID: String
        /// The request's method was HEAD: the response goes out without its body.
        let isHeadRequest: Bool
        /// The client asked to keep the connection (RFC 9112 §9.3).
        let keepAlive: Bool
        /// The client spoke HTTP/1.0, so persistence must be announced.
        let isHTTP10: Bool
        /// When the request was dispatched.
        let startedAt: ContinuousClock.Instant
    }

    /// High-water mark of unsent output: above it no further pipelined request is decoded until the
    /// client reads, so a client that never reads cannot grow the buffer.
    static let outputHighWater = 64 * 1024

    /// The socket.
    let socket: Socket
    /// Table index and generation, as registered with epoll.
    let token: UInt64
    /// The peer as `address:port`.
    let remoteAddress: String
    /// The owning loop (which outlives its connections).
    unowned let loop: EventLoop
    /// Incoming bytes and the requests in them.
    var decoder: HTTPRequestDecoder
    /// Encoded responses not yet sent; `output[outputOffset...]` is pending.
    var output: [UInt8] = []
    /// Bytes of `output` already sent.
    var outputOffset = 0
    /// Edge-triggered readiness: the socket may hold unread bytes.
    var mayRead = true
    /// epoll reported EPOLLRDHUP: the stream ends after the bytes still unread, so a short read does
    /// not mean drained (no further edge will announce the end of stream).
    var readHangUpSeen = false
    /// The client has shut its side (read returned 0).
    var inputClosed = false
    /// The request with the responder, if any.
    var inFlight: InFlight?
    /// Close once `output` is sent: an error, `Connection: close`, or shutdown.
    var closeAfterOutput = false
    /// Output is waiting for the loop's send pass at the end of its pass over ready connections.
    var awaitsSendPass = false
    /// Requests answered so far.
    var requestsServed = 0
    /// Staged close in progress: output shut, discarding input.
    var lingering = false
    /// The socket has been closed.
    var isClosed = false
    /// What `deadline` is for.
    var timerKind: TimerKind?
    /// When the current wait gives up.
    var deadline: ContinuousClock.Instant?

    /// Wraps an accepted socket.
    init(socket: Socket, token: UInt64, remoteAddress: String, loop: EventLoop) {
        self.socket = socket
        self.token = token
        self.remoteAddress = remoteAddress
        self.loop = loop
        decoder = HTTPRequestDecoder(limits: loop.limits)
    }

    /// Whether the socket is still open.
    var isOpen: Bool { !isClosed }

    /// Starts the header timer; the first readiness event starts reading.
    func start() {
        setTimer(.header)
    }

    /// Reacts to epoll readiness `flags`.
    func handle(flags: UInt32) {
        guard !isClosed else { return }
        if flags & (LinuxCalls.epollError | LinuxCalls.epollHangUp) != 0 {
            // Reset, or both directions shut: nothing can be delivered any more.
            close()
            return
        }
        if flags & (LinuxCalls.epollIn | LinuxCalls.epollReadHangUp) != 0 { mayRead = true }
        if flags & LinuxCalls.epollReadHangUp != 0 { readHangUpSeen = true }
        drive()
    }

    /// Makes all the progress possible now: decode and answer buffered requests, flush output, read,
    /// until the connection must wait for the socket, the responder or a timer.
    func drive() {
        while !isClosed {
            if lingering {
                discardInput()
                return
            }
            if inFlight == nil && !closeAfterOutput && output.count - outputOffset < Self.outputHighWater && decodeNextRequest() {
                continue
            }
            if outputOffset < output.count {
                if loop.isCollectingOutput {
                    // Sent after the loop's pass over its ready connections, once the log lines of
                    // the whole pass are written (`EventLoop.sendCollectedOutput()`).
                    if !awaitsSendPass {
                        awaitsSendPass = true
                        loop.collectOutput(of: self)
                    }
                    break
                }
                guard flush() else { break }
            }
            if closeAfterOutput {
                closeAfterResponse()
                return
            }
            if inFlight != nil { break }
            if inputClosed || (loop.isDraining && decoder.phase == .idle) {
                // Nothing more will be asked (an incomplete request cannot be answered), or shutting down.
                close()
                return
            }
            guard mayRead else { break }
            read()
        }
        updateTimer()
    }

    /// Decodes the next buffered request and hands it to the responder, or answers a protocol error;
    /// false when no complete request is buffered.
    private func decodeNextRequest() -> Bool {
        let request: HTTPRequest
        do {
            guard let next = try decoder.nextRequest() else {
                if decoder.takeContinueExpectation() {
                    // RFC 9110 §10.1.1: the head is acceptable, so invite the body.
                    output.append(contentsOf: HTTPResponse.continueLine)
                }
                return false
            }
            request = next
        } catch {
            fail(error)
            return true
        }
        dispatch(request)
        return true
    }

    /// Hands `request` to the responder and takes its response at once if it completed inline.
    private func dispatch(_ request: HTTPRequest) {
        let slot = ResponseSlot(connectionToken: token, mailbox: loop.mailbox)
        let requestID = loop.nextRequestID()
        let inFlight = InFlight(
            slot: slot, requestID: requestID, isHeadRequest: request.method == "HEAD",
            keepAlive: request.keepAlive, isHTTP10: request.version == .http1_0, startedAt: loop.now
        )
        self.inFlight = inFlight
        setTimer(.response)
        let context = HTTPRequestContext(remoteAddress: remoteAddress, requestID: requestID, receivedAt: loop.now)
        loop.responder.respond(to: request, context: context, completion: slot.complete)
        if let response = slot.finishDispatch() { queue(response, for: inFlight) }
    }

    /// A completion that came through the mailbox: queued and sent if it is still awaited.
    func complete(_ slot: ResponseSlot, with response: HTTPResponse) {
        guard let inFlight, inFlight.slot === slot else { return }
        queue(response, for: inFlight)
        drive()
    }

    /// Encodes `response` after any earlier output and decides whether the connection stays open.
    private func queue(_ response: HTTPResponse, for request: InFlight) {
        inFlight = nil
        timerKind = nil
        requestsServed += 1
        let limitReached = loop.limits.maxRequestsPerConnection.map { requestsServed >= $0 } ?? false
        let keepAlive = request.keepAlive && !response.asksToClose && !limitReached && !loop.isDraining
        if !keepAlive { closeAfterOutput = true }
        let directive: HTTPResponse.ConnectionDirective = !keepAlive ? .close : request.isHTTP10 ? .keepAlive : .persistent
        let dropped = response.encode(into: &output, connection: directive, isHeadRequest: request.isHeadRequest, date: loop.dateLine())
        if !dropped.isEmpty {
            loop.logger.error("response headers dropped: names or values that would split the response", metadata: [
                "request.id": request.requestID, "headers": dropped.joined(separator: ","),
            ])
        }
        let duration = loop.now - request.startedAt
        loop.observer?.responded(status: response.status.code, duration: duration, protocolError: nil)
        loop.logger.debug("request answered", metadata: [
            "request.id": request.requestID, "client.address": remoteAddress,
            "http.status": String(response.status.code), "duration_ms": Logger.milliseconds(duration),
        ])
    }

    /// Answers a protocol error with its status and `Connection: close`: the one place errors reach the
    /// wire. A timed-out request keeps its id; a request that never decoded gets a new one for the logs.
    private func fail(_ error: HTTPProtocolError) {
        let requestID = inFlight?.requestID ?? loop.nextRequestID()
        loop.observer?.responded(status: error.status.code, duration: inFlight.map { loop.now - $0.startedAt } ?? .zero, protocolError: error.reason.rawValue)
        loop.logger.debug("request rejected", metadata: [
            "request.id": requestID, "client.address": remoteAddress,
            "http.status": String(error.status.code), "error.reason": error.reason.rawValue,
        ])
        inFlight = nil
        closeAfterOutput = true
        _ = error.response.encode(into: &output, connection: .close, isHeadRequest: false, date: loop.dateLine())
    }

    /// Called by the loop when `deadline` passes.
    func timerFired() {
        guard !isClosed, let timerKind else { return }
        switch timerKind {
        case .header:
            fail(HTTPProtocolError(.requestTimeout))
        case .body:
            fail(HTTPProtocolError(.bodyTimeout))
        case .response:
            // The late completion finds no matching request and is dropped.
            loop.logger.warning("responder timed out", metadata: ["request.id": inFlight?.requestID ?? "", "client.address": remoteAddress])
            fail(HTTPProtocolError(.responseTimeout))
        case .idle, .write, .linger:
            close()
            return
        }
        self.timerKind = nil
        drive()
    }

    /// On shutdown: closes the connection if it is between requests; otherwise lets the request finish
    /// (its response will carry `Connection: close`).
    func drainForShutdown() {
        guard !isClosed, !lingering, inFlight == nil, outputOffset == output.count, decoder.phase == .idle else { return }
        close()
    }

    /// Sets the timer that fits the connection's state, keeping a running timer of the same kind.
    func updateTimer() {
        guard !isClosed else { return }
        let kind: TimerKind
        if lingering {
            kind = .linger
        } else if outputOffset < output.count {
            kind = .write
        } else if inFlight != nil {
            kind = .response
        } else {
            switch decoder.phase {
            case .idle: kind = requestsServed == 0 ? .header : .idle
            case .head: kind = .header
            case .body: kind = .body
            }
        }
        if kind != timerKind { setTimer(kind) }
    }

    /// Starts a timer of `kind` from now.
    private func setTimer(_ kind: TimerKind) {
        let limits = loop.limits
        let duration: Duration = switch kind {
        case .header: limits.headerReadTimeout
        case .body: limits.bodyReadTimeout
        case .response: limits.responseTimeout
        case .write: limits.writeTimeout
        case .idle: limits.idleTimeout
        case .linger: limits.lingerTimeout
        }
        timerKind = kind
        let deadline = loop.now + duration
        self.deadline = deadline
        loop.noteDeadline(deadline)
    }
}
