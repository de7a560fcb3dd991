import Foundation
import StripeTestSupport
import StripeWebhooks
import Testing
@testable import StripeAPI

/// Records the waits between retries instead of sleeping them.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []

    /// The closure to hand the client.
    var sleep: @Sendable (Double) -> Void { { [self] seconds in lock.lock(); recorded.append(seconds); lock.unlock() } }
    /// The waits so far.
    var waits: [Double] { lock.lock(); defer { lock.unlock() }; return recorded }
}

/// The client against the fake Stripe API (scripts/fake-stripe-api.py) on loopback.
@Suite(.serialized)
struct StripeAPIClientTests {
    static func client(_ fake: FakeStripeAPI, key: String? = nil, retries: Int = 5, timeout: Double = 30, sleep: SleepRecorder = SleepRecorder()) throws -> StripeAPIClient {
        var options = try StripeAPIOptions(baseURL: fake.baseURL, apiKey: key ?? fake.key)
        options.maxRetries = retries
        options.requestTimeoutSeconds = timeout
        return StripeAPIClient(options: options, sleep: sleep.sleep)
    }

    @Test func listEvents_followsEveryPage_andReturnsOldestFirst() throws {
        let fake = try FakeStripeAPI()
        // Seven events over five seconds, two pairs sharing a `created` second, added out of order.
        let specs: [[String: Any]] = [
            ["sample": "invoice.created", "id": "evt_c", "created": 1_000_002],
            ["sample": "invoice.created", "id": "evt_a", "created": 1_000_000],
            ["sample": "invoice.finalized", "id": "evt_b", "created": 1_000_001],
            ["sample": "invoice.paid", "id": "evt_d", "created": 1_000_002],
            ["sample": "customer.created", "id": "evt_e", "created": 1_000_003],
            ["sample": "customer.created", "id": "evt_f", "created": 1_000_004],
            ["sample": "customer.created", "id": "evt_g", "created": 1_000_004],
        ]
        try fake.addEvents(specs)
        var query = EventListQuery()
        query.pageSize = 3
        let events = try Self.client(fake).listEvents(query)
        #expect(events.map(\.event.id) == ["evt_a", "evt_b", "evt_c", "evt_d", "evt_e", "evt_f", "evt_g"])
        // The bodies are the events themselves, decodable like a delivery.
        #expect(try StripeEvent.decode(from: events[3].body).type.rawValue == "invoice.paid")

        let requests = try fake.requests()
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0["stripe_version"] as? String == StripeAPIVersion.pinned })
        #expect((requests[1]["query"] as? String)?.contains("starting_after=evt_e") == true)
    }

    @Test func listEvents_filtersByCreatedAndType() throws {
        let fake = try FakeStripeAPI()
        try fake.addEvents([
            ["sample": "invoice.paid", "id": "evt_old", "created": 500],
            ["sample": "invoice.paid", "id": "evt_new", "created": 1500],
            ["sample": "customer.created", "id": "evt_other", "created": 1600],
        ])
        let client = try Self.client(fake)
        #expect(try client.listEvents(EventListQuery(createdSince: 1000)).map(\.event.id) == ["evt_new", "evt_other"])
        #expect(try client.listEvents(EventListQuery(createdSince: 0, type: "invoice.*")).map(\.event.id) == ["evt_old", "evt_new"])
    }

    @Test func wrongKey_is401_andTheErrorNeverShowsTheKey() throws {
        let fake = try FakeStripeAPI()
        let wrong = "sk_test_not_the_right_key_12345678"
        #expect {
            try Self.client(fake, key: wrong).listEvents(EventListQuery())
        } throws: { error in
            guard let error = error as? StripeAPIError else { return false }
            return error.kind == .authentication && error.message.contains("401") && !error.message.contains(wrong)
        }
        // Not retried: a wrong key stays wrong.
        #expect(try fake.requests().count == 1)
    }

    @Test func restrictedKeyWithoutPermission_is403_namingThePermission() throws {
        let fake = try FakeStripeAPI()
        let restricted = "rk_test_webhooks_only_abcdefgh"
        try fake.addRestrictedKey(restricted, permissions: ["rak_webhook_read"])
        #expect {
            try Self.client(fake, key: restricted).listEvents(EventListQuery())
        } throws: { error in
            guard let error = error as? StripeAPIError else { return false }
            return error.kind == .permission("rak_event_read") && error.message.contains("'rak_event_read'") && !error.message.contains(restricted)
        }
        try fake.setEndpoint(["id": "we_123"])
        #expect(try Self.client(fake, key: restricted).webhookEndpoint(id: "we_123").isEnabled)
    }

    @Test func unknownIDs_are404() throws {
        let fake = try FakeStripeAPI()
        let client = try Self.client(fake)
        #expect(throws: StripeAPIError.self) { try client.event(id: "evt_missing") }
        do {
            _ = try client.webhookEndpoint(id: "we_missing")
            Issue.record("expected a 404")
        } catch {
            #expect(error.kind == .notFound)
        }
    }

    @Test func rateLimitStorm_isRetried_honouringRetryAfter() throws {
        let fake = try FakeStripeAPI()
        try fake.addEvents([["sample": "invoice.paid", "id": "evt_1", "created": 100]])
        try fake.addFault(["status": 429, "count": 4, "retry_after": 2])
        let sleeps = SleepRecorder()
        let events = try Self.client(fake, sleep: sleeps).listEvents(EventListQuery())
        #expect(events.map(\.event.id) == ["evt_1"])
        #expect(sleeps.waits == [2, 2, 2, 2])
        #expect(try fake.requests().count == 5)
    }

    @Test func rateLimitsBeyondTheRetries_failAsRateLimited() throws {
        let fake = try FakeStripeAPI()
        try fake.addFault(["status": 429, "count": 10])
        let sleeps = SleepRecorder()
        do {
            _ = try Self.client(fake, retries: 2, sleep: sleeps).listEvents(EventListQuery())
            Issue.record("expected rate limiting")
        } catch {
            #expect((error as? StripeAPIError)?.kind == .rateLimited)
        }
        // Exponential back-off without Retry-After: 0.5 s then 1 s, each with jitter (half to all).
        #expect(sleeps.waits.count == 2)
        #expect((0.25...0.5).contains(sleeps.waits[0]) && (0.5...1.0).contains(sleeps.waits[1]))
        #expect(try fake.requests().count == 3)
    }

    @Test func serverErrors_areRetried_unlessStripeSaysNot() throws {
        let fake = try FakeStripeAPI()
        try fake.setEndpoint(["id": "we_1", "status": "disabled", "enabled_events": ["invoice.paid"]])
        try fake.addFault(["status": 500, "count": 2])
        let endpoint = try Self.client(fake).webhookEndpoint(id: "we_1")
        #expect(endpoint == WebhookEndpointState(id: "we_1", status: "disabled", enabledEvents: ["invoice.paid"], livemode: false, url: "https://example.com/webhook"))
        #expect(try fake.requests().count == 3)

        try fake.addFault(["status": 500, "count": 1, "should_retry": false])
        do {
            _ = try Self.client(fake).webhookEndpoint(id: "we_1")
            Issue.record("expected the 500")
        } catch {
            #expect((error as? StripeAPIError)?.kind == .server(status: 500))
        }
        #expect(try fake.requests().count == 4)
    }

    @Test func slowAnswer_pastTheTimeout_isANetworkError() throws {
        let fake = try FakeStripeAPI()
        try fake.addFault(["status": 200, "count": 1, "delay": 4])
        do {
            _ = try Self.client(fake, retries: 0, timeout: 1).listEvents(EventListQuery())
            Issue.record("expected a timeout")
        } catch {
            #expect((error as? StripeAPIError)?.kind == .network)
        }
        // A slow answer within the timeout is just slow.
        try fake.addFault(["status": 200, "count": 1, "delay": 1])
        #expect(try Self.client(fake, retries: 0, timeout: 10).listEvents(EventListQuery()).isEmpty)
    }
}
