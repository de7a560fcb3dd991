import StripeWebhooks
#if canImport(Glibc)
import Glibc
#endif

/// The `command` action: runs a program without a shell, the raw event body on its standard input,
/// with `STRIPE_EVENT_*` variables (and, for thin events, `STRIPE_RELATED_OBJECT_*` and `STRIPE_CONTEXT`) and only the variables its entry lists. Exit 0 is success; any
/// other exit, a signal, a timeout or a failure to start is a failed attempt.
struct CommandAction: HandlerAction {
    /// Bytes of standard output and of standard error kept with each attempt.
    static let captureLimit = 4096
    /// Bytes of standard error and of standard output shown on the run's log line (the failure line at
    /// warning, a `handler output` line at debug on success); `events show` has the whole capture.
    static let logExcerptLimit = 1024

    /// The program, an absolute path.
    let executable: String
    /// Its argument vector as configured (the program as written first).
    let arguments: [String]
    /// The configured variables, resolved; the daemon's own environment is never inherited.
    let environment: [String: String]
    /// Its working directory; `nil` keeps the daemon's.
    let workingDirectory: String?
    /// Seconds until its process group gets SIGTERM.
    let timeout: Double
    /// Seconds from SIGTERM to SIGKILL.
    let killGrace: Double
    /// Where running commands' process groups are recorded, if anywhere (see `RunningCommands`).
    var commands: RunningCommands? = nil

    /// Runs the program for `event` and reports its exit and output.
    func perform(_ event: StripeEvent, context: EventHandlerContext) -> HandlerReport {
        var variables = environment
        variables["STRIPE_EVENT_ID"] = event.id
        variables["STRIPE_EVENT_TYPE"] = event.type.rawValue
        variables["STRIPE_EVENT_LIVEMODE"] = event.livemode ? "true" : "false"
        variables["STRIPE_OBJECT_ID"] = event.objectID ?? ""
        variables["STRIPE_EVENT_ATTEMPT"] = String(context.attempt)
        // A newer event about the same object was handled first: this one carries an older state.
        variables["STRIPE_EVENT_STALE"] = context.isStale ? "true" : "false"
        variables.merge(Self.thinVariables(event)) { $1 }
        let outcome = ChildProcess.run(ChildProcess.Request(
            executable: executable, arguments: arguments,
            environment: variables.keys.sorted().map { "\($0)=\(variables[$0] ?? "")" },
            workingDirectory: workingDirectory, input: context.body, timeout: timeout, killGrace: killGrace,
            captureLimit: Self.captureLimit, commands: commands
        ))
        var report = report(outcome)
        report.logExcerpts = Self.logExcerpts(outcome)
        return report
    }

    /// The run's success or failure and its kept output.
    func report(_ outcome: ChildProcess.Outcome) -> HandlerReport {
        let output = Self.describe(outcome)
        switch outcome.ending {
        case .exited(0):
            return .success(output: output)
        case .exited(let status):
            return .failed("exit status \(status)", output: output)
        case .signalled(let number):
            return .failed("killed by signal \(number) (\(Self.signalName(number)))", output: output)
        case .timedOut(let killed):
            let seconds = Self.seconds(timeout)
            let ending = killed ? "then SIGKILL after \(Self.seconds(killGrace)) s" : "and it stopped"
            return .failed("timed out after \(seconds) s: the process group got SIGTERM, \(ending)", output: output)
        case .notStarted(let reason):
            return .failed("could not start: \(reason)", output: output)
        case .lost(let reason):
            return .failed("ended with an unknown status: \(reason)", output: output)
        }
    }

    /// `stdout:` and `stderr:` sections for the streams that printed anything; `nil` when neither did.
    static func describe(_ outcome: ChildProcess.Outcome) -> String? {
        var sections: [String] = []
        // One final newline is how programs end lines, not content worth a blank line in `events show`.
        func trimmed(_ text: String) -> String { text.hasSuffix("\n") ? String(text.dropLast()) : text }
        if outcome.standardOutput.total > 0 { sections.append("stdout:\n" + trimmed(outcome.standardOutput.text)) }
        if outcome.standardError.total > 0 { sections.append("stderr:\n" + trimmed(outcome.standardError.text)) }
        return sections.isEmpty ? nil : sections.joined(separator: "\n")
    }

    /// `handler.stderr` and `handler.stdout` for the streams that printed anything: the first
    /// `logExcerptLimit` bytes (the log sink escapes them), then how many more there were.
    static func logExcerpts(_ outcome: ChildProcess.Outcome) -> [String: String] {
        var excerpts: [String: String] = [:]
        if outcome.standardError.total > 0 { excerpts["handler.stderr"] = excerpt(outcome.standardError) }
        if outcome.standardOutput.total > 0 { excerpts["handler.stdout"] = excerpt(outcome.standardOutput) }
        return excerpts
    }

    /// One stream's first `logExcerptLimit` bytes as text, its final newline dropped, with a note of
    /// the bytes left out.
    static func excerpt(_ captured: CapturedOutput) -> String {
        let kept = captured.bytes.prefix(logExcerptLimit)
        var text = String(decoding: kept, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        let more = captured.total - kept.count
        if more > 0 { text += " [… \(more) more bytes]" }
        return text
    }

    /// `1` for 1.0, `0.5` for 0.5.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The conventional name of a signal that ends programs.
    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGPIPE: "SIGPIPE"
        case SIGQUIT: "SIGQUIT"
        case SIGBUS: "SIGBUS"
        default: "signal \(number)"
        }
    }
}
