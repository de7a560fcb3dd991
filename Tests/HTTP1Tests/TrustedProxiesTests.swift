import Testing
@testable import HTTP1

/// Client addresses behind proxies: which `X-Forwarded-For` hop is believed, and CIDR matching.
struct TrustedProxiesTests {
    @Test func parsesAddressesInTheFormsProxiesWrite() {
        #expect(IPAddress("203.0.113.7")?.description == "203.0.113.7")
        #expect(IPAddress("203.0.113.7:443")?.description == "203.0.113.7")
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8::1")
        #expect(IPAddress("[2001:db8::1]:443")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:203.0.113.7") == IPAddress("203.0.113.7"))
        for bad in ["", "unknown", "203.0.113", "203.0.113.256", "1.2.3.4:", "1.2.3.4:x", "[::1", "[::1]x", "example.com", "2001:db8::1::2"] {
            #expect(IPAddress(bad) == nil, "\(bad) is not an address")
        }
    }

    @Test func networksMatchTheirBlockOnly() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains(IPAddress("10.255.1.2")!))
        #expect(!ten.contains(IPAddress("11.0.0.1")!))
        #expect(IPNetwork("10.1.2.3/8")?.description == "10.0.0.0/8")
        let one = try #require(IPNetwork("192.0.2.1"))
        #expect(one.contains(IPAddress("192.0.2.1")!) && !one.contains(IPAddress("192.0.2.2")!))
        let v6 = try #require(IPNetwork("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        // An IPv4 block never matches an IPv6 address outside the mapped range.
        #expect(!ten.contains(IPAddress("::a00:1")!))
        #expect(IPNetwork("0.0.0.0/0")!.contains(IPAddress("198.51.100.1")!))
        for bad in ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8/8", "2001:db8::/129", "10.0.0.1:80", "[::1]", "nope/8"] {
            #expect(IPNetwork(bad) == nil, "\(bad) is not a block")
        }
    }

    @Test func forwardedForIsReadRightToLeftFromTrustedPeersOnly() {
        let proxies = TrustedProxies([IPNetwork("127.0.0.1")!, IPNetwork("10.0.0.0/8")!])
        let proxy = IPAddress("127.0.0.1")!
        // nginx appended the client it saw; whatever the client wrote to the left is not believed.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: ["203.0.113.9, 198.51.100.4"]).description == "198.51.100.4")
        // Trusted hops (an inner load balancer) are skipped.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: ["198.51.100.4, 10.1.1.1"]).description == "198.51.100.4")
        // Several header fields are one list, in order.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: ["198.51.100.4", "10.1.1.1"]).description == "198.51.100.4")
        // An untrusted peer's header is ignored: the peer is the client.
        let stranger = IPAddress("198.51.100.77")!
        #expect(proxies.clientAddress(peer: stranger, forwardedFor: ["203.0.113.9"]) == stranger)
        // No header: the peer.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: []) == proxy)
        // Every hop trusted: the left-most.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: ["10.0.0.5, 10.0.0.6"]).description == "10.0.0.5")
        // Garbage ends the walk at the hop that wrote it.
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: ["198.51.100.4, unknown"]) == proxy)
        #expect(proxies.clientAddress(peer: proxy, forwardedFor: ["unknown, 10.0.0.5"]).description == "10.0.0.5")
        // Trusting no one ignores the header.
        #expect(TrustedProxies([]).clientAddress(peer: proxy, forwardedFor: ["198.51.100.4"]) == proxy)
    }

    @Test func contextGivesThePeersIPWithoutPort() {
        #expect(HTTPRequestContext(remoteAddress: "127.0.0.1:5555", requestID: "r").remoteIP == "127.0.0.1")
        #expect(HTTPRequestContext(remoteAddress: "[::1]:5555", requestID: "r").remoteIP == "::1")
    }
}
