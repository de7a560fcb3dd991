import EventStore
import Testing
@testable import WebhookDaemon

/// The console's one escaping function and the builder around it: hostile values from events render
/// as inert text, in element text and in attribute values alike.
@Suite struct HTMLTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=\"alert(1)\">", "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
        ("' onmouseover='alert(1)", "&#39; onmouseover=&#39;alert(1)"),
        ("`${alert(1)}`", "&#96;${alert(1)}&#96;"),
        ("&lt;already escaped&gt;", "&amp;lt;already escaped&amp;gt;"),
        ("</title><svg onload=alert(1)>", "&lt;/title&gt;&lt;svg onload=alert(1)&gt;"),
        ("nul\u{0}and\u{1B}esc\u{85}nel", "nul\u{FFFD}and\u{FFFD}esc\u{FFFD}nel"),
        ("tab\tnew\nline", "tab\tnew\nline"),
        ("Zoë 💳 ¥1,000", "Zoë 💳 ¥1,000"),
        ("", ""),
    ])
    func escape_makesHostileTextInert(_ input: String, _ expected: String) {
        #expect(HTML.escape(input) == expected)
        let escaped = HTML.escape(input)
        #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\"") && !escaped.contains("'"))
    }

    @Test func element_escapesTextAndAttributeValues() {
        let hostile = "\"><script>x()</script>"
        let html = HTML.element("a", [("href", "/events/" + hostile), ("title", hostile)], text: hostile)
        #expect(html.markup == "<a href=\"/events/&quot;&gt;&lt;script&gt;x()&lt;/script&gt;\" title=\"&quot;&gt;&lt;script&gt;x()&lt;/script&gt;\">&quot;&gt;&lt;script&gt;x()&lt;/script&gt;</a>")
        #expect(!html.markup.contains("<script>"))
    }

    @Test func voidElementsHaveNoEndTag_andSVGElementsDo() {
        #expect(HTML.element("input", [("name", "csrf"), ("value", "abc")]).markup == "<input name=\"csrf\" value=\"abc\">")
        #expect(HTML.element("rect", [("x", "1")]).markup == "<rect x=\"1\"></rect>")
        #expect(HTML.join([.text("a<"), .element("b", text: ">c")]).markup == "a&lt;<b>&gt;c</b>")
    }

    @Test func eventDetailPage_rendersAHostileEventAsText() throws {
        let markup = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"
        let body = #"{"id":"evt_1","object":"event","type":"customer.created","request":{"id":"req_<b>","idempotency_key":null},"data":{"object":{"id":"cus_1","name":"\#(markup)","metadata":{"note":"\#(markup)"}}}}"#
        let record = EventRecord(id: "evt_<i>1", type: "customer.created<svg onload=x>", objectID: "cus_<u>", created: 1, livemode: false,
                                 account: nil, apiVersion: nil, body: Array(body.utf8), receivedAt: 1_000, verifiedBy: "<label>")
        let run = HandlerRun(handler: "h<1>", attempt: 1, startedAt: 1_000, finishedAt: 1_010, succeeded: false, error: "<b>boom</b>", output: markup)
        let event = StoredEvent(record: record, sequence: 1, status: .failed, attempts: 1, nextAttemptAt: nil, lastError: "<i>x</i>",
                                updatedAt: 1_000, replay: 0, claimedBy: nil, claimExpiresAt: nil, handlers: [run])
        let page = EventDetailPage(event: event, related: RelatedEvents(before: [], after: []), blockedBy: nil, replayed: false)
            .render(navigation: .empty).markup
        for tag in ["<script>window", "<img", "<svg", "<b>", "<i>", "<u>", "<label>", "<1>"] {
            #expect(!page.contains(tag), "\(tag) reached the page unescaped")
        }
        #expect(page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        // The page's own script is the only one: from /console.js.
        #expect(page.components(separatedBy: "<script").count == 2 && page.contains("<script src=\"/console.js\""))
    }
}
