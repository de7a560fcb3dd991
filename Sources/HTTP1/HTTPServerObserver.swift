/// Told about every response the server writes, including the ones the application never sees
/// (protocol errors, timeouts, connections refused over the cap), so that metrics count them all.
/// Called on an event-loop thread: it must be quick and must not block.
public protocol HTTPServerObserver: Sendable {
    /// A response was queued on a connection.
    /// - Parameters:
    ///   - status: its status code.
    ///   - duration: from the request's last byte to the response being queued; zero when no
    ///     request was decoded (a malformed head, a refused connection).
    ///   - protocolError: the stable reason when the server itself answered a protocol error or a
    ///     refusal (`HTTPProtocolError.Reason`), `nil` when the responder answered.
    func responded(status: Int, duration: Duration, protocolError: String?)
}
