import Testing
@testable import StripeAPI

/// Which base URLs and keys the client accepts.
struct StripeAPIOptionsTests {
    @Test(arguments: [
        ("https://api.stripe.com", true), ("http://127.0.0.1:12111", true), ("http://localhost:8080", true),
        ("http://[::1]:9000", true), ("http://10.0.0.5:8080", false), ("http://api.stripe.com", false),
        ("ftp://127.0.0.1", false), ("api.stripe.com", false),
    ])
    func baseURL_httpsOrLoopbackHTTPOnly(url: String, accepted: Bool) {
        let ok = (try? StripeAPIOptions(baseURL: url, apiKey: "rk_test_abc")) != nil
        #expect(ok == accepted, Comment(rawValue: url))
    }

    @Test(arguments: [
        ("sk_test_1", StripeKeyMode.test), ("rk_test_1", .test), ("sk_live_1", .live), ("rk_live_1", .live),
        ("pk_test_1", nil), ("whsec_1", nil), ("", nil),
    ] as [(String, StripeKeyMode?)])
    func keyMode_fromThePrefix(key: String, mode: StripeKeyMode?) {
        #expect(StripeKeyMode(key: key) == mode)
        #expect(((try? StripeAPIOptions(apiKey: key)) != nil) == (mode != nil))
    }

    @Test func keyMode_matchesLivemode() {
        #expect(StripeKeyMode.live.matches(livemode: true))
        #expect(!StripeKeyMode.test.matches(livemode: true))
        #expect(StripeKeyMode.test.matches(livemode: false))
    }
}
