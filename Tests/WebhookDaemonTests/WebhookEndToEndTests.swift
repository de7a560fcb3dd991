import Foundation
import Testing
@testable import WebhookDaemon

/// The daemon over a real socket: every bundled event accepted and handled, rejections with the right
/// status and reason, duplicates handled once.
@Suite(.serialized)
struct WebhookEndToEndTests {
    /// The log line each sample must produce once its handlers ran.
    static func expectedLine(for type: String, eventID: String) -> [String] {
        switch type {
        case "payment_intent.succeeded": ["PaymentIntent was successful!", "event.id=\(eventID)", "payment_intent.id=pi_1PgafyB7WZ01zgkWSjxsAJo3", "payment_intent.amount=100", "payment_intent.currency=usd"]
        case "payment_method.attached": ["PaymentMethod was attached to a Customer!", "event.id=\(eventID)", "payment_method.id=pm_1Pgc75B7WZ01zgkWlHVgdEGJ", "payment_method.customer=cus_QXg1o8vcGmoR32"]
        case "charge.dispute.created": ["warning", "Dispute created", "event.id=\(eventID)", "dispute.id=dp_1Pgc71B7WZ01zgkWMevJiAUx", "dispute.amount=100", "dispute.currency=usd", "dispute.charge=ch_"]
        case "balance.available": ["Balance available", "event.id=\(eventID)", "\"100 usd\""]
        case let t where t.hasPrefix("invoice."): ["Invoice event \(t)", "event.id=\(eventID)"]
        default: ["Unhandled event type: \(type)", "event.id=\(eventID)"]
        }
    }

    @Test func allBundledEvents_areAcceptedAndHandledWithTheirLogLine() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let types = try TestSupport.sampleTypes()
        #expect(types.count == 20)
        var ids: [String: String] = [:]
        for type in types {
            let id = SampleEvents.freshEventID()
            ids[type] = id
            let response = try daemon.post(SampleEvents.payload(for: type, eventID: id)!)
            #expect(response.status == 200, "\(type): \(response.body)")
            #expect(response.body == #"{"received":true}"#)
        }
        for type in types {
            let fragments = Self.expectedLine(for: type, eventID: ids[type]!)
            let found = TestSupport.eventually { !daemon.log.lines.filter { line in fragments.allSatisfy { line.contains($0) } }.isEmpty }
            #expect(found, "no log line with \(fragments) for \(type)")
        }
        // A draft invoice has no number; a finalized one does.
        let created = daemon.lines(containing: "Invoice event invoice.created").first ?? ""
        #expect(!created.contains("invoice.number="))
        #expect(daemon.lines(containing: "Invoice event invoice.finalized", "invoice.number=7FE1103-0001").count == 1)
        // invoice.upcoming has no id: the line says so by leaving it out, and nothing crashed.
        #expect(daemon.lines(containing: "Invoice event invoice.upcoming").first?.contains("invoice.id=") == false)
    }

    @Test func sameEventDeliveredThreeTimes_runsItsHandlerOnce() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!
        // Two copies at once on separate connections, then a third later (each freshly signed, as Stripe retries).
        let statuses = LockedStatuses()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            statuses.append((try? daemon.post(body))?.status ?? -1)
        }
        #expect(TestSupport.eventually { daemon.lines(containing: "PaymentIntent was successful!", id).count == 1 })
        let third = try daemon.post(body)
        #expect(statuses.values.sorted() == [200, 200])
        #expect(third.status == 200)
        #expect(third.body.contains(#""duplicate":true"#))
        usleep(300_000)
        #expect(daemon.lines(containing: "PaymentIntent was successful!", id).count == 1)
        #expect(daemon.lines(containing: "duplicate event", id).count == 2)
    }

    struct Rejection: CustomTestStringConvertible, Sendable {
        let name: String
        let request: @Sendable (_ secret: String) -> [UInt8]
        let status: Int
        let reason: String
        var testDescription: String { name }
    }

    static let pi = try! TestSupport.sample("payment_intent.succeeded")

    static let rejections: [Rejection] = [
        Rejection(name: "wrong secret", request: { _ in TestHTTPClient.webhookRequest(body: pi, signature: TestSupport.sign(pi, secret: "whsec_wrong")) }, status: 400, reason: "signature_mismatch"),
        Rejection(name: "no signature", request: { _ in TestHTTPClient.webhookRequest(body: pi, signature: nil) }, status: 400, reason: "missing_header"),
        Rejection(name: "garbage signature", request: { _ in TestHTTPClient.webhookRequest(body: pi, signature: "i'm not even a real signature header") }, status: 400, reason: "malformed_header"),
        Rejection(name: "old timestamp", request: { s in TestHTTPClient.webhookRequest(body: pi, signature: TestSupport.sign(pi, secret: s, at: Int64(Date().timeIntervalSince1970) - 301)) }, status: 400, reason: "timestamp_out_of_tolerance"),
        Rejection(name: "v0 only", request: { s in
            let v1 = TestSupport.sign(pi, secret: s)
            return TestHTTPClient.webhookRequest(body: pi, signature: v1.replacingOccurrences(of: "v1=", with: "v0="))
        }, status: 400, reason: "no_v1_signature"),
        Rejection(name: "tampered body", request: { s in
            var body = pi
            let signature = TestSupport.sign(body, secret: s)
            body[body.count / 2] ^= 0x01
            return TestHTTPClient.webhookRequest(body: body, signature: signature)
        }, status: 400, reason: "signature_mismatch"),
        Rejection(name: "signed invalid JSON", request: { s in
            let body = Array(pi.dropLast())
            return TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: s))
        }, status: 400, reason: "invalid_json"),
        Rejection(name: "signed non-event object", request: { s in
            let body = Array(#"{"id":"cus_1","object":"customer","type":"x"}"#.utf8)
            return TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: s))
        }, status: 400, reason: "not_an_event"),
        Rejection(name: "signed event without type", request: { s in
            let body = Array(#"{"id":"evt_1","object":"event","created":1,"livemode":false,"data":{"object":{}}}"#.utf8)
            return TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: s))
        }, status: 400, reason: "missing_type"),
        // A thin event on this snapshot endpoint: ThinEventEndToEndTests (its 400 also carries a message).
        Rejection(name: "unknown path", request: { s in TestHTTPClient.webhookRequest(path: "/hooks", body: pi, signature: TestSupport.sign(pi, secret: s)) }, status: 404, reason: "not_found"),
        Rejection(name: "GET on the endpoint", request: { _ in Array("GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n".utf8) }, status: 405, reason: "method_not_allowed"),
    ]

    @Test(arguments: rejections)
    func rejectedRequest_getsStatusAndReason(_ rejection: Rejection) throws {
        let daemon = try RunningDaemon(store: "memory")
        defer { daemon.stop() }
        let client = try TestHTTPClient(port: daemon.port)
        try client.send(rejection.request(daemon.secret))
        let response = try #require(try client.readResponse())
        #expect(response.status == rejection.status)
        #expect(response.body == "{\"error\":\"\(rejection.reason)\"}")
        #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
        if rejection.status == 405 { #expect(response.header("Allow") == "POST") }
        // Nothing rejected reaches a handler, and the secret never reaches the log.
        usleep(100_000)
        #expect(daemon.lines(containing: "PaymentIntent was successful!").isEmpty)
        #expect(!daemon.log.text.contains(daemon.secret))
        // The daemon keeps serving.
        #expect(try daemon.post(Self.pi).status == 200)
    }

    @Test func keepAlive_answersManyRequestsOnOneConnection() throws {
        let daemon = try RunningDaemon(store: "memory")
        defer { daemon.stop() }
        let client = try TestHTTPClient(port: daemon.port)
        for _ in 0..<300 {
            let body = SampleEvents.payload(for: "customer.created", eventID: SampleEvents.freshEventID())!
            try client.send(TestHTTPClient.webhookRequest(body: body, signature: TestSupport.sign(body, secret: daemon.secret)))
            let response = try #require(try client.readResponse())
            #expect(response.status == 200)
        }
    }

    @Test func pipelinedRequests_areAnsweredInOrder() throws {
        let daemon = try RunningDaemon(store: "memory")
        defer { daemon.stop() }
        let client = try TestHTTPClient(port: daemon.port)
        // good, bad signature, good, unknown path: one write, four answers in order.
        let good = SampleEvents.payload(for: "charge.succeeded", eventID: SampleEvents.freshEventID())!
        var burst = TestHTTPClient.webhookRequest(body: good, signature: TestSupport.sign(good, secret: daemon.secret))
        burst += TestHTTPClient.webhookRequest(body: good, signature: TestSupport.sign(good, secret: "whsec_nope"))
        let other = SampleEvents.payload(for: "charge.succeeded", eventID: SampleEvents.freshEventID())!
        burst += TestHTTPClient.webhookRequest(body: other, signature: TestSupport.sign(other, secret: daemon.secret))
        burst += TestHTTPClient.webhookRequest(path: "/nope", body: other, signature: nil)
        try client.send(burst)
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(try #require(try client.readResponse()).status) }
        #expect(statuses == [200, 400, 200, 404])
    }

    @Test func chunkedBody_isVerifiedOnTheReassembledBytes() throws {
        let daemon = try RunningDaemon(store: "memory")
        defer { daemon.stop() }
        let id = SampleEvents.freshEventID()
        let body = SampleEvents.payload(for: "payment_intent.succeeded", eventID: id)!
        var request = Array("POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nStripe-Signature: \(TestSupport.sign(body, secret: daemon.secret))\r\n\r\n".utf8)
        var offset = 0
        for size in [1, 100, 7, 1000] + [Int](repeating: 333, count: 10) where offset < body.count {
            let end = min(body.count, offset + size)
            request += Array("\(String(end - offset, radix: 16))\r\n".utf8) + body[offset..<end] + Array("\r\n".utf8)
            offset = end
        }
        if offset < body.count { request += Array("\(String(body.count - offset, radix: 16))\r\n".utf8) + body[offset...] + Array("\r\n".utf8) }
        request += Array("0\r\n\r\n".utf8)
        let client = try TestHTTPClient(port: daemon.port)
        try client.send(request)
        #expect(try client.readResponse()?.status == 200)
        #expect(TestSupport.eventually { !daemon.lines(containing: "PaymentIntent was successful!", id).isEmpty })
    }
}

/// Statuses collected from concurrent requests.
final class LockedStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(_ value: Int) { lock.lock(); storage.append(value); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}
