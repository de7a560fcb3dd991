import EventStore
import Foundation
import HTTP1
import WebhookSupport

/// The events console on the admin listener (never on the webhook listener): routes each page to its
/// renderer after the gate has said who is asking, runs the two actions (replay one event, replay the
/// dead letters of a type) and wakes the dispatcher. Store reads block, so everything after routing
/// runs on the console's own dispatch queue, off the event loop and off Swift's cooperative pool.
final class ConsoleResponder: Sendable {
    /// Events per list page.
    static let pageSize = 50
    /// Events shown before and after an event about the same object.
    static let relatedLimit = 10

    /// Where the pages read from and the actions write to.
    private let store: any EventStore
    /// Woken after an action, so that requeued events run at once.
    private let dispatcher: EventDispatcher
    /// What `/readyz` would answer, for the overview.
    private let readiness: ReadinessCheck
    /// The current configuration (handlers, readiness settings), swapped on reload.
    private let runtime: LockedValue<DaemonRuntime>
    /// Who may ask, and whether a form is genuine.
    let gate: ConsoleGate
    /// Actions and refusals are logged here.
    private let logger: Logger
    /// Failed sign-ins by client address.
    private let throttle = SignInThrottle()
    /// Where requests are answered: store reads block, and never on an event loop or the cooperative pool.
    private let queue = DispatchQueue(label: "webhookd-console", attributes: .concurrent)

    /// A console over `store` whose actions wake `dispatcher`.
    /// - Parameters:
    ///   - store: the event store.
    ///   - dispatcher: woken after a replay.
    ///   - readiness: asked what `/readyz` would say, for the overview.
    ///   - runtime: the current handlers and readiness settings.
    ///   - gate: the credentials' decisions.
    ///   - logger: actions are logged with the user.
    init(store: any EventStore, dispatcher: EventDispatcher, readiness: ReadinessCheck, runtime: LockedValue<DaemonRuntime>, gate: ConsoleGate, logger: Logger) {
        self.store = store
        self.dispatcher = dispatcher
        self.readiness = readiness
        self.runtime = runtime
        self.gate = gate
        self.logger = logger
    }

    /// Answers a console request on the console's queue.
    func respond(to request: HTTPRequest, context: HTTPRequestContext, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        queue.async { [self] in
            let now = EventDispatcher.nowMillis()
            let response: HTTPResponse
            do throws(ConsoleRefusal) {
                response = try route(request, context: context, now: now)
            } catch {
                response = error.response
            }
            completion(response)
        }
    }

    /// The refusal for an admin path (`/metrics`, `/healthz`, `/readyz`) when `admin.auth` is set and
    /// the request lacks credentials; `nil` to serve it.
    func refusal(forAdminPath request: HTTPRequest) -> ConsoleRefusal? {
        guard gate.auth != nil else { return nil }
        if case .failure(let refusal) = gate.principal(of: request, console: false, now: EventDispatcher.nowMillis()) { return refusal }
        return nil
    }

    /// Picks the page.
    private func route(_ request: HTTPRequest, context: HTTPRequestContext, now: Int64) throws(ConsoleRefusal) -> HTTPResponse {
        let path = request.path
        if path == "/console.css" { return try asset(request, ConsoleAssets.stylesheet, type: "text/css; charset=utf-8") }
        let principal = try gate.principal(of: request, console: true, now: now).get()
        if path == "/console.js" { return try asset(request, ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        if path == "/login" { return try signIn(request, principal: principal, client: String(context.remoteIP), now: now) }
        if path == "/logout" { return try signOut(request, principal: principal) }
        let isPost = request.method == "POST"
        if isPost {
            // Only the two actions take posts; anything else (a webhook sent to the wrong port) is not here.
            guard Self.isActionPath(path) else { throw .notFound }
            let fields = FormFields(body: request.body)
            if let refusal = gate.checkForm(request, fields: fields, principal: principal) {
                logger.warning("console form refused", metadata: ["request.id": context.requestID, "console.reason": refusal.reason, "client.ip": String(context.remoteIP)])
                throw refusal
            }
            return try act(request, fields: fields, principal: principal, context: context, now: now)
        }
        guard request.method == "GET" || request.method == "HEAD" else { throw .methodNotAllowed(allowed: "GET, HEAD, POST") }
        let query = FormFields(request.query)
        let navigation = { (current: String) in ConsolePage.navigation(current: current, principal: principal, csrf: self.gate.csrfToken(for: principal)) }
        if path == "/" { return ConsolePage.response(try overview(now: now, replayed: query["replayed"].flatMap { Int($0) }).render(navigation: navigation("/"))) }
        if path == "/events" {
            let page = try eventList(query, now: now)
            return ConsolePage.response(page.render(navigation: navigation(page.filters.status == "failed" ? "dead" : "/events"), current: "/events"))
        }
        if path == "/dead-letters/replay" {
            guard let type = query["type"] else { throw .badRequest("name the dead letters' type: /dead-letters/replay?type=invoice.paid") }
            let count = try storeRead { () throws(EventStoreError) in try store.deadLetterCounts()[type] ?? 0 }
            return ConsolePage.response(ConfirmationPage(
                title: "Replay the dead letters of \(type)?",
                explanation: ["\(count) failed event\(count == 1 ? "" : "s") of type \(type) will be requeued with their attempts reset: every handler that has not yet succeeded for them runs again, in the order the events were received.",
                              "Handlers that already succeeded for an event do not run again."],
                action: "/dead-letters/replay", fields: [("type", type)], confirm: "Replay \(count) dead letter\(count == 1 ? "" : "s")", cancel: "/",
                csrf: gate.csrfToken(for: principal)).render(navigation: navigation("dead")))
        }
        if path.hasPrefix("/events/") {
            let rest = path.dropFirst("/events/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard let first = rest.first, let id = String(first).removingPercentEncoding, !id.isEmpty, rest.count <= 2 else { throw .notFound }
            guard let event = try storeRead({ () throws(EventStoreError) in try store.event(id: id) }) else { throw .notFound }
            switch rest.count == 2 ? String(rest[1]) : nil {
            case nil:
                let related = try storeRead { () throws(EventStoreError) in try store.relatedEvents(to: id, limit: Self.relatedLimit) }
                let blocker = event.status == .pending ? try storeRead { () throws(EventStoreError) in try store.blockingEvent(of: id, now: now) } : nil
                return ConsolePage.response(EventDetailPage(event: event, related: related, blockedBy: blocker, replayed: query["replayed"] != nil)
                    .render(navigation: navigation("/events")))
            case "raw":
                var response = HTTPResponse(status: .ok, headers: ConsolePage.securityHeaders, body: event.record.body)
                response.headers.add(name: "Content-Type", value: "application/json")
                response.headers.add(name: "Content-Disposition", value: "attachment; filename=\"\(Self.fileName(id)).json\"")
                return response
            case "replay":
                var explanation = ["The event is requeued with its attempts reset and the dispatcher is woken: its handlers run again within a moment."]
                switch event.status {
                case .done: explanation.append("It is done: every handler runs again, including those that succeeded (the run is recorded as a new replay).")
                case .failed: explanation.append("It is a dead letter: handlers that already succeeded for it do not run again.")
                case .pending: explanation.append(event.isClaimed ? "A worker is handling it right now: the replay will be refused." : "It is still pending: it becomes due now.")
                }
                return ConsolePage.response(ConfirmationPage(
                    title: "Replay \(id)?", explanation: explanation, action: "/events/" + FormFields.encode(id) + "/replay", fields: [],
                    confirm: "Replay this event", cancel: "/events/" + FormFields.encode(id), csrf: gate.csrfToken(for: principal)
                ).render(navigation: navigation("/events")))
            default:
                throw .notFound
            }
        }
        throw .notFound
    }

    /// The two actions, after the Origin and CSRF checks.
    private func act(_ request: HTTPRequest, fields: FormFields, principal: ConsoleGate.Principal, context: HTTPRequestContext, now: Int64) throws(ConsoleRefusal) -> HTTPResponse {
        let path = request.path
        if path == "/dead-letters/replay" {
            guard let type = fields["type"] else { throw .badRequest("the form names no type") }
            let count = try storeRead { () throws(EventStoreError) in try store.requeueFailed(typePattern: type, now: now) }
            dispatcher.wake()
            logger.notice("console: dead letters requeued", metadata: ["console.user": principal.name, "event.type": type, "events": String(count), "request.id": context.requestID])
            return ConsolePage.redirect(to: "/?replayed=\(count)")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "events", parts[3] == "replay", let id = String(parts[2]).removingPercentEncoding else {
            throw .notFound
        }
        let outcome = try storeRead { () throws(EventStoreError) in try store.requeue(ids: [id], force: true, now: now) }[id]
        guard let outcome else { throw .notFound }
        logger.notice("console: event requeued", metadata: ["console.user": principal.name, "event.id": id, "outcome": "\(outcome)", "request.id": context.requestID])
        dispatcher.wake()
        return ConsolePage.redirect(to: "/events/" + FormFields.encode(id) + "?replayed=1")
    }

    /// The overview's data.
    private func overview(now: Int64, replayed: Int?) throws(ConsoleRefusal) -> OverviewPage {
        let hour = HourlyEventCount.hourMillis
        let since = (now / hour - Int64(OverviewPage.hours - 1)) * hour
        let hourly = try storeRead { () throws(EventStoreError) in try store.hourlyCounts(since: since) }
        let summary = try storeRead { () throws(EventStoreError) in try store.summary() }
        let dead = try storeRead { () throws(EventStoreError) in try store.deadLetterCounts() }
        var rates = try storeRead { () throws(EventStoreError) in try store.handlerFailureRates(since: now - 24 * hour) }
        let (configured, settings) = runtime.withLock { ($0.configuration.handlers.map(\.name), $0.configuration.readiness) }
        for name in configured where !rates.contains(where: { $0.handler == name }) { rates.append(HandlerFailureRate(handler: name, runs: 0, failures: 0)) }
        rates.sort { $0.handler < $1.handler }
        let report = readiness.run(settings)
        var oldest: (event: StoredEvent, blockedBy: StoredEvent?)?
        if let receivedAt = summary.oldestPendingReceivedAt {
            var query = EventQuery(limit: 1)
            query.status = .pending
            query.receivedFrom = receivedAt
            query.receivedBefore = receivedAt + 1
            if let event = try storeRead({ () throws(EventStoreError) in try store.events(matching: query) }).events.first {
                oldest = (event, try storeRead { () throws(EventStoreError) in try store.blockingEvent(of: event.record.id, now: now) })
            }
        }
        return OverviewPage(hourly: hourly, since: since, summary: summary, deadLetters: dead, handlers: rates,
                            readinessFailures: report.failures, now: now, replayed: replayed, oldestPending: oldest)
    }

    /// The list's filters parsed and one page read.
    private func eventList(_ fields: FormFields, now: Int64) throws(ConsoleRefusal) -> EventListPage {
        let filters = EventListPage.Filters(fields)
        var query = EventQuery(limit: Self.pageSize)
        if let status = filters.status {
            guard let parsed = EventStatus(rawValue: status) else { throw .badRequest("status: expected pending, done or failed") }
            query.status = parsed
        }
        if let type = filters.type {
            do throws(EventStoreError) { _ = try EventTypePattern(type) } catch { throw .badRequest("type: \(error.message)") }
            query.typePattern = type
        }
        if let from = filters.from {
            guard let instant = TimeExpression.instant(from, now: now) else { throw .badRequest("from: expected 2h, 7d, Unix seconds or an ISO 8601 date") }
            query.receivedFrom = instant
        }
        if let until = filters.until {
            guard let instant = TimeExpression.instant(until, now: now) else { throw .badRequest("until: expected 2h, 7d, Unix seconds or an ISO 8601 date") }
            query.receivedBefore = instant
        }
        query.objectID = filters.object
        query.eventID = filters.id
        if let after = fields["after"] {
            guard let cursor = EventCursor(token: after) else { throw .badRequest("after: not a page cursor") }
            query.after = cursor
        }
        let page = try storeRead { () throws(EventStoreError) in try store.events(matching: query) }
        return EventListPage(filters: filters, page: page, isLaterPage: query.after != nil)
    }

    /// `/login`: the form, or a sign-in attempt.
    private func signIn(_ request: HTTPRequest, principal: ConsoleGate.Principal, client: String, now: Int64) throws(ConsoleRefusal) -> HTTPResponse {
        let acceptsToken = gate.auth?.token != nil
        guard gate.hasSignIn else { return ConsolePage.redirect(to: "/") }
        if request.method == "POST" {
            let fields = FormFields(body: request.body)
            if let refusal = gate.checkForm(request, fields: fields, principal: principal) { throw refusal }
            let next = Self.safeNext(fields["next"])
            guard throttle.allows(client, now: now) else {
                logger.warning("console: sign-in refused, too many failures", metadata: ["client.ip": client])
                throw .tooManySignIns
            }
            guard let session = gate.signIn(name: fields["name"] ?? "", password: fields["password"] ?? "", now: now) else {
                throttle.recordFailure(client, now: now)
                logger.warning("console: sign-in failed", metadata: ["console.user": fields["name"] ?? "token", "client.ip": client])
                return ConsolePage.response(SignInPage(next: next, csrf: gate.csrfToken(for: .anonymous), failed: true, acceptsToken: acceptsToken).render(), status: .unauthorized)
            }
            throttle.reset(client)
            logger.notice("console: signed in", metadata: ["console.user": session.user, "client.ip": client])
            return ConsolePage.redirect(to: next, setCookie: gate.sessionCookie(session))
        }
        guard request.method == "GET" || request.method == "HEAD" else { throw .methodNotAllowed(allowed: "GET, HEAD, POST") }
        let next = Self.safeNext(FormFields(request.query)["next"])
        return ConsolePage.response(SignInPage(next: next, csrf: gate.csrfToken(for: .anonymous), failed: false, acceptsToken: acceptsToken).render())
    }

    /// `/logout`: ends the session (a POST with the session's CSRF token).
    private func signOut(_ request: HTTPRequest, principal: ConsoleGate.Principal) throws(ConsoleRefusal) -> HTTPResponse {
        guard request.method == "POST" else { throw .methodNotAllowed(allowed: "POST") }
        if let refusal = gate.checkForm(request, fields: FormFields(body: request.body), principal: principal) { throw refusal }
        if case .session(let session) = principal { gate.sessions.remove(id: session.id) }
        return ConsolePage.redirect(to: gate.hasSignIn ? "/login" : "/", setCookie: gate.clearedCookie)
    }

    /// A static asset.
    private func asset(_ request: HTTPRequest, _ text: String, type: String) throws(ConsoleRefusal) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else { throw .methodNotAllowed(allowed: "GET, HEAD") }
        var response = HTTPResponse(status: .ok, body: Array(text.utf8))
        response.headers.add(name: "Content-Type", value: type)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.add(name: "Cache-Control", value: "max-age=300")
        return response
    }

    /// A store call whose error becomes a 503 (or a 400 for a pattern the store refused).
    private func storeRead<Value>(_ body: () throws(EventStoreError) -> Value) throws(ConsoleRefusal) -> Value {
        do throws(EventStoreError) {
            return try body()
        } catch {
            logger.error("console: store read failed", metadata: ["error.message": error.message])
            throw .storeUnavailable(error)
        }
    }

    /// Whether `path` is one of the actions' form targets: `/dead-letters/replay`, `/events/ID/replay`.
    static func isActionPath(_ path: String) -> Bool {
        if path == "/dead-letters/replay" { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].isEmpty && parts[1] == "events" && !parts[2].isEmpty && parts[3] == "replay"
    }

    /// Where to go after signing in: a path on this console, never another site (`//host`, `http:`).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\r"), !next.contains("\n") else { return "/" }
        return next
    }

    /// An event id reduced to characters safe in a file name.
    static func fileName(_ id: String) -> String {
        String(id.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }.map(Character.init))
    }
}
