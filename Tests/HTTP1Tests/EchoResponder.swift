import Foundation
import HTTP1

/// The test application: echoes requests back, and misbehaves on request, through real completions.
///
/// - `/slow?ms=N`: answers after N ms from a dispatch queue (another thread);
/// - `/later`: answers from another thread at once;
/// - `/never`: never answers;
/// - `/twice`: completes twice (the second must be ignored);
/// - `/close`: answers with `Connection: close`;
/// - `/split`: sets a header value with CRLF (must be dropped);
/// - anything else: answers inline with the body echoed and the request's parts in `X-` headers.
struct EchoResponder: HTTPResponder {
    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        var headers: HTTPHeaders = [
            "X-Method": request.method, "X-Path": request.path, "X-Request-ID": context.requestID,
            "X-Remote": context.remoteAddress, "X-Version": request.version.description,
        ]
        if let query = request.query { headers.add(name: "X-Query", value: query) }
        let response = HTTPResponse(status: .ok, headers: headers, body: request.body)
        switch request.path {
        case "/slow":
            let milliseconds = Int(request.query?.split(separator: "=").last ?? "") ?? 100
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { completion(response) }
        case "/later":
            DispatchQueue.global().async { completion(response) }
        case "/never":
            break
        case "/twice":
            completion(response)
            completion(HTTPResponse(status: .internalServerError))
        case "/close":
            var closing = response
            closing.headers["Connection"] = "close"
            completion(closing)
        case "/split":
            var split = response
            split.headers.add(name: "X-Injected", value: "a\r\nSet-Cookie: evil=1")
            completion(split)
        default:
            completion(response)
        }
    }
}
