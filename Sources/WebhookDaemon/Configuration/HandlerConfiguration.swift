/// One operator handler from the config file: which events it takes, the action it runs (a command
/// or an HTTP forward) and its retry, concurrency and dedupe settings.
public struct HandlerConfiguration: Sendable, Equatable {
    /// What the handler does with each event.
    public enum Action: Sendable, Equatable {
        /// Runs a program (no shell) with the raw event on standard input.
        case command(Command)
        /// POSTs the raw event to a URL.
        case forward(Forward)
    }

    /// The `command` action's settings.
    public struct Command: Sendable, Equatable {
        /// The program and its arguments; the program is an absolute path or a name looked up in the
        /// daemon's `PATH` when the configuration is loaded.
        public var argv: [String]
        /// The only variables the program gets besides `STRIPE_EVENT_*`: name → literal, `env:NAME` or `file:PATH`.
        public var environment: [String: ValueReference] = [:]
        /// The program's working directory; `nil` keeps the daemon's.
        public var workingDirectory: String?

        /// A command running `argv`.
        public init(argv: [String]) { self.argv = argv }
    }

    /// The `forward` action's settings.
    public struct Forward: Sendable, Equatable {
        /// Where the event is POSTed: an `http` or `https` URL.
        public var url: String
        /// Extra request headers: name → literal, `env:NAME` or `file:PATH`.
        public var headers: [String: ValueReference] = [:]
        /// When set, each request carries a fresh `Stripe-Signature` made with this secret.
        public var signingSecret: SecretReference?

        /// A forward to `url`.
        public init(url: String) { self.url = url }
    }

    /// A stable, unique name: in logs, in the event record's handler runs, in dedupe keys.
    public var name: String
    /// Event type patterns: exact (`invoice.paid`), segment-aware prefix (`invoice.*`) or `*`.
    public var events: [String]
    /// The action.
    public var action: Action
    /// Longest one run may take, in seconds. Default 30.
    public var timeoutSeconds: Double = 30
    /// Commands only: seconds between SIGTERM and SIGKILL to the process group after a timeout. Default 5.
    public var killGraceSeconds: Double = 5
    /// Attempts for this handler before the event is a dead letter; `nil` takes `retry.max_attempts`.
    public var maxAttempts: Int?
    /// Most runs of this handler at once, across workers. Default 4.
    public var maxConcurrency = 4
    /// For thin events: fetch the versioned event or the related object from Stripe's API and hand the
    /// action that body instead of the thin one; `nil` (default) hands over the body as received.
    public var fetch: Fetch?
    /// Event type → JSON path of the value that identifies the business fact; the handler then runs
    /// once per distinct value across those types. Empty: no dedupe beyond the event id.
    public var dedupeKey: [String: String] = [:]
    /// Records a stale event (an older state than one already handled for its object) as skipped
    /// instead of running. Default `false`: the handler runs, told with `STRIPE_EVENT_STALE=true`.
    public var skipStale = false

    /// A handler with default settings.
    /// - Parameters:
    ///   - name: its unique name.
    ///   - events: the event type patterns it takes.
    ///   - action: what it does.
    public init(name: String, events: [String], action: Action) {
        self.name = name
        self.events = events
        self.action = action
    }
}
