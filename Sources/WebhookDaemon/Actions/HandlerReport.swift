/// What one run of a reporting handler did: its failure, if any, and what it printed or answered.
struct HandlerReport: Sendable, Equatable {
    /// Why the run failed; `nil` when it succeeded.
    var failure: String?
    /// The start of the program's output or the response, kept with the run.
    var output: String?
    /// Short excerpts of a program's streams for the log line of the run (`handler.stderr`,
    /// `handler.stdout`), each at most `CommandAction.logExcerptLimit` bytes; empty when it printed nothing.
    var logExcerpts: [String: String] = [:]

    /// A successful run with its output.
    static func success(output: String?) -> HandlerReport { HandlerReport(failure: nil, output: output, logExcerpts: [:]) }

    /// A failed run, with whatever output there was.
    static func failed(_ failure: String, output: String? = nil) -> HandlerReport { HandlerReport(failure: failure, output: output, logExcerpts: [:]) }
}

/// A reporting handler's failure, when it is called through ``EventHandler/handle(_:context:)``.
struct HandlerFailure: Error, CustomStringConvertible {
    /// The failure.
    let description: String
}
