import Testing
@testable import HTTP1

@Suite struct HTTPRequestTests {
    @Test(arguments: [
        ("/", "/", nil), ("/webhook", "/webhook", nil), ("/a?b=c", "/a", "b=c"), ("/a?", "/a", ""), ("/a?b?c", "/a", "b?c"),
        ("http://h:1/p?q", "/p", "q"), ("https://h", "/", nil), ("http://h?q", "/", "q"), ("*", "*", nil),
    ] as [(String, String, String?)])
    func target_isSplitIntoPathAndQuery(target: String, path: String, query: String?) {
        let request = HTTPRequest(method: "GET", target: target)
        #expect(request.path == path)
        #expect(request.query == query)
    }

    @Test(arguments: [
        (HTTPVersion.http1_1, nil, true), (.http1_1, "close", false), (.http1_1, "keep-alive", true),
        (.http1_0, nil, false), (.http1_0, "Keep-Alive", true), (.http1_0, "keep-alive, close", false),
    ] as [(HTTPVersion, String?, Bool)])
    func keepAlive_followsVersionAndConnectionHeader(version: HTTPVersion, connection: String?, keepAlive: Bool) {
        var headers = HTTPHeaders()
        if let connection { headers.add(name: "Connection", value: connection) }
        #expect(HTTPRequest(method: "GET", target: "/", version: version, headers: headers).keepAlive == keepAlive)
    }
}
