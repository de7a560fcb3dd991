import Synchronization
import Testing
@testable import StripeWebhooks

/// Routing events to handlers.
struct EventRouterTests {
    /// Collects handler names in the order they ran, from any thread.
    final class Journal: Sendable {
        /// The names so far.
        let entries = Mutex<[String]>([])

        /// Records that `name` ran.
        func record(_ name: String) { entries.withLock { $0.append(name) } }

        /// A copy of the names so far.
        var names: [String] { entries.withLock { $0 } }
    }

    /// A handler failure.
    struct HandlerFailure: Error, Equatable {
        let message: String
    }

    /// A handler that writes its name to a journal and may fail.
    static func handler(_ name: String, journal: Journal, failing: Bool = false) -> ClosureEventHandler {
        ClosureEventHandler(name: name) { _, _ in
            journal.record(name)
            if failing { throw HandlerFailure(message: "\(name) failed") }
        }
    }

    /// An event of `type` with an empty object.
    static func event(_ type: EventType) -> StripeEvent {
        StripeEvent(
            id: "evt_1", type: type, created: 1, livemode: false, apiVersion: nil,
            data: EventData(object: [:], objectRawJSON: Array("{}".utf8), previousAttributes: nil), request: nil
        )
    }

    @Test func handlers_areReturnedInRegistrationOrder_once() throws {
        let journal = Journal()
        var router = EventRouter()
        router.register(Self.handler("audit", journal: journal), for: .all)
        router.register(Self.handler("invoices", journal: journal), for: [try EventPattern("invoice.*"), try EventPattern("invoice.paid")])
        router.register(Self.handler("paid", journal: journal), for: try EventPattern("invoice.paid"))
        router.register(Self.handler("charges", journal: journal), for: try EventPattern("charge.*"))
        #expect(router.handlers(for: .invoicePaid).map(\.name) == ["audit", "invoices", "paid"])
        #expect(router.handlers(for: .invoiceCreated).map(\.name) == ["audit", "invoices"])
        #expect(router.handlers(for: "invoiceitem.created").map(\.name) == ["audit"])
        let outcomes = router.dispatch(Self.event(.invoicePaid), context: EventHandlerContext(attempt: 1, body: []))
        #expect(outcomes.map(\.handlerName) == ["audit", "invoices", "paid"])
        #expect(journal.names == ["audit", "invoices", "paid"])
    }

    @Test func failingHandler_doesNotStopTheOthers() throws {
        let journal = Journal()
        var router = EventRouter()
        router.register(Self.handler("first", journal: journal), for: .all)
        router.register(Self.handler("broken", journal: journal, failing: true), for: .all)
        router.register(Self.handler("last", journal: journal), for: .all)
        let outcomes = router.dispatch(Self.event(.chargeRefunded), context: EventHandlerContext(attempt: 2, body: [1]))
        #expect(journal.names == ["first", "broken", "last"])
        #expect(outcomes.map(\.succeeded) == [true, false, true])
        #expect(outcomes[1].error as? HandlerFailure == HandlerFailure(message: "broken failed"))
        #expect(outcomes[0].error == nil)
    }

    @Test func handler_seesTheEventAndContext() throws {
        let seen = Mutex<(String, Int, [UInt8])?>(nil)
        var router = EventRouter()
        router.register(ClosureEventHandler(name: "probe") { event, context in
            seen.withLock { $0 = (event.type.rawValue, context.attempt, context.body) }
        }, for: .exactly(.payoutPaid))
        _ = router.dispatch(Self.event(.payoutPaid), context: EventHandlerContext(attempt: 3, body: [7, 8]))
        let recorded = try #require(seen.withLock { $0 })
        #expect(recorded.0 == "payout.paid")
        #expect(recorded.1 == 3)
        #expect(recorded.2 == [7, 8])
    }

    @Test func unhandledType_hasNoHandlers_andCatchAllDoesNotCountAsHandled() throws {
        let journal = Journal()
        var router = EventRouter()
        #expect(router.handlers(for: .invoicePaid).isEmpty)
        #expect(router.dispatch(Self.event(.invoicePaid), context: EventHandlerContext(attempt: 1, body: [])).isEmpty)
        router.register(Self.handler("audit", journal: journal), for: .all)
        #expect(router.handlers(for: .invoicePaid).count == 1)
        #expect(!router.isHandled(.invoicePaid))
        router.register(Self.handler("invoices", journal: journal), for: try EventPattern("invoice.*"))
        #expect(router.isHandled(.invoicePaid))
        #expect(!router.isHandled("invoiceitem.created"))
    }
}
