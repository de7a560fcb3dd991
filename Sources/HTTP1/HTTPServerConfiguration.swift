import Foundation

/// Where and how the server listens.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// The numeric address to bind: an IPv4 or IPv6 literal, or `localhost` for `127.0.0.1`.
    /// Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// The TCP port; 0 asks the kernel for a free one, which `HTTPServer.start()` returns. Default 4242.
    public var port: Int = 4242
    /// How many event-loop threads to run, all accepting from one listening socket.
    /// Default: the number of active processor cores.
    public var eventLoopCount: Int = ProcessInfo.processInfo.activeProcessorCount
    /// The listen backlog of the listening socket. Default 1024 (the kernel caps it at `somaxconn`).
    public var listenBacklog: Int = 1024
    /// Size, count and time limits.
    public var limits: HTTPLimits = HTTPLimits()

    /// Creates a configuration.
    /// - Parameters:
    ///   - host: the numeric address to bind.
    ///   - port: the TCP port, 0 for any free one.
    ///   - eventLoopCount: event-loop threads, nil for one per core.
    ///   - limits: size, count and time limits.
    public init(host: String = "127.0.0.1", port: Int = 4242, eventLoopCount: Int? = nil, limits: HTTPLimits = HTTPLimits()) {
        self.host = host
        self.port = port
        if let eventLoopCount { self.eventLoopCount = eventLoopCount }
        self.limits = limits
    }
}
