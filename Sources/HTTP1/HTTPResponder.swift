/// The one seam between the HTTP server and the application: turns each request into a response.
public protocol HTTPResponder: Sendable {
    /// Answers `request`. Called on an event-loop thread, so it must not block: hand slow work to
    /// another thread or task. Call `completion` exactly once, from any thread, now or later; later
    /// calls are ignored, and a request not completed within `HTTPLimits.responseTimeout` is answered
    /// with 503 by the server.
    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void)
}
