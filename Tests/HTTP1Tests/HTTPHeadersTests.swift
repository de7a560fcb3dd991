import Testing
@testable import HTTP1

@Suite struct HTTPHeadersTests {
    @Test func lookups_ignoreCaseAndKeepOrder() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-A": "1"]
        headers.add(name: "x-a", value: "2")
        #expect(headers["content-TYPE"] == "application/json")
        #expect(headers["X-A"] == "1")
        #expect(headers.values(for: "X-a") == ["1", "2"])
        #expect(headers.map(\.name) == ["Content-Type", "X-A", "x-a"])
        #expect(headers["Missing"] == nil)
        #expect(headers.count == 3)
    }

    @Test func settingAName_replacesEveryLineOfIt() {
        var headers: HTTPHeaders = ["X-A": "1", "Other": "o", "x-a": "2"]
        headers["X-A"] = "3"
        #expect(headers.values(for: "x-a") == ["3"])
        headers["x-A"] = nil
        #expect(!headers.contains(name: "X-A"))
        #expect(headers.map(\.name) == ["Other"])
    }

    @Test(arguments: [
        ("close", true), ("Keep-Alive, CLOSE", true), (" upgrade ,close ", true), ("closed", false), ("keep-alive", false),
    ])
    func tokenLists_areSplitOnCommas(value: String, hasClose: Bool) {
        let headers: HTTPHeaders = ["Connection": value]
        #expect(headers.containsToken("close", in: "connection") == hasClose)
    }
}
