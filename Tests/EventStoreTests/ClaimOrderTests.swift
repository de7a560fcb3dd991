import EventStore
import Testing

/// The claim rule under long random histories: both stores claim exactly the events a plain
/// reading of the rule names, whatever mix of inserts, outcomes, retries and requeues came before.
/// (Both stores index their candidates instead of scanning every pending event; this checks the
/// indexes against a full scan of the events as the store itself reports them.)
@Suite struct ClaimOrderTests {
    /// What the reference model knows about one event.
    private struct ModelEvent {
        let id: String
        let object: String?
        var status: EventStatus = .pending
        var claimed = false
        var due: Int64?
    }

    /// The rule of `EventStore.claimDue`, applied by scanning every event in receive order.
    private static func expectedClaims(_ events: [ModelEvent], now: Int64, limit: Int) -> [String] {
        var blocked: Set<String> = []
        for event in events where event.status == .pending && event.claimed {
            if let object = event.object { blocked.insert(object) }
        }
        var claims: [String] = []
        for event in events where event.status == .pending {
            defer { if let object = event.object { blocked.insert(object) } }
            guard claims.count < limit, !event.claimed else { continue }
            if let object = event.object, blocked.contains(object) { continue }
            if let due = event.due, due > now { continue }
            claims.append(event.id)
        }
        return claims
    }

    @Test(arguments: StoreKind.allCases, [UInt64(1), 2, 3, 4])
    func randomHistories_claimExactlyWhatTheRuleNames(_ kind: StoreKind, seed: UInt64) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        defer { fixture.tearDown() }
        var random = SeededGenerator(seed: seed)
        var model: [ModelEvent] = []
        var now: Int64 = 1_000
        let objects: [String?] = ["obj_a", "obj_b", "obj_c", nil]

        for step in 0..<400 {
            now += Int64.random(in: 0...40, using: &random)
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35:
                let object = objects.randomElement(using: &random)!
                let id = "evt_\(step)"
                #expect(try await store.insert(makeRecord(id, object: object, receivedAt: now)) == .stored)
                model.append(ModelEvent(id: id, object: object))
            case 35..<60:
                let limit = Int.random(in: 1...4, using: &random)
                let expected = Self.expectedClaims(model, now: now, limit: limit)
                let claimed = try store.claimIDs(now: now, limit: limit)
                #expect(claimed == expected, "step \(step): claim(limit \(limit)) at \(now)")
                for id in claimed {
                    if let index = model.firstIndex(where: { $0.id == id }) { model[index].claimed = true }
                }
            case 60..<90:
                guard let index = model.indices.filter({ model[$0].claimed }).randomElement(using: &random) else { continue }
                let id = model[index].id
                model[index].claimed = false
                switch Int.random(in: 0..<3, using: &random) {
                case 0:
                    try store.complete(eventID: id, now: now)
                    model[index].status = .done
                case 1:
                    try store.markFailed(eventID: id, error: "failed", now: now)
                    model[index].status = .failed
                default:
                    let due = now + Int64.random(in: 1...200, using: &random)
                    try store.retryLater(eventID: id, at: due, error: "later", now: now)
                    model[index].due = due
                }
            case 90..<97:
                guard let index = model.indices.randomElement(using: &random) else { continue }
                let force = Bool.random(using: &random)
                let event = model[index]
                let outcome = try store.requeue(ids: [event.id], force: force, now: now)[event.id]
                if event.status == .pending, event.claimed {
                    #expect(outcome == .claimed)
                } else if event.status == .done, !force {
                    #expect(outcome == .needsForce)
                } else {
                    #expect(outcome == .requeued)
                    model[index].status = .pending
                    model[index].due = now
                }
            default:
                let requeued = try store.requeueFailed(typePattern: nil, now: now)
                #expect(requeued == model.filter { $0.status == .failed }.count)
                for index in model.indices where model[index].status == .failed {
                    model[index].status = .pending
                    model[index].due = now
                }
            }
        }
        // Drain: finish what is claimed; then everything pending is claimed in the rule's order.
        now += 1_000
        for index in model.indices where model[index].claimed {
            try store.complete(eventID: model[index].id, now: now)
            model[index].claimed = false
            model[index].status = .done
        }
        while true {
            let expected = Self.expectedClaims(model, now: now, limit: 3)
            let claimed = try store.claimIDs(now: now, limit: 3)
            #expect(claimed == expected)
            guard !claimed.isEmpty, claimed == expected else { break }
            for id in claimed {
                try store.complete(eventID: id, now: now)
                if let index = model.firstIndex(where: { $0.id == id }) { model[index].status = .done }
            }
        }
        #expect(try store.summary().pending == 0)
    }
}
