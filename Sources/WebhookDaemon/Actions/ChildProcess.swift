import CLinux
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs one program to completion without a shell, in a process group of its own, feeding it
/// standard input and keeping the first bytes of its standard output and error. Blocks the calling
/// thread: call it from the dispatcher's workers, never from Swift's cooperative pool.
///
/// On timeout the whole group gets SIGTERM, then SIGKILL once the grace period has passed, so that a
/// shell script's children go too. Signals the daemon ignores or handles are reset to their defaults
/// in the child, and its signal mask is emptied, so that SIGTERM reaches it.
///
/// The program dies with the daemon: it gets SIGKILL when the daemon does (PR_SET_PDEATHSIG), and its
/// process group is recorded in `RunningCommands` while it runs, so that the next start kills what
/// the group left behind (a script's own children) before anything is handled again.
enum ChildProcess {
    /// What to run.
    struct Request: Sendable {
        /// Absolute path of the program.
        var executable: String
        /// The argument vector, the program's name first.
        var arguments: [String]
        /// The complete environment, as `NAME=value` entries.
        var environment: [String]
        /// The working directory; `nil` keeps the daemon's.
        var workingDirectory: String?
        /// Bytes written to standard input, which is then closed.
        var input: [UInt8]
        /// Seconds until the group gets SIGTERM.
        var timeout: Double
        /// Seconds from SIGTERM to SIGKILL.
        var killGrace: Double
        /// Bytes kept of standard output and of standard error, each.
        var captureLimit: Int
        /// Where the program's process group is recorded while it runs (next to the store), if anywhere.
        var commands: RunningCommands? = nil
    }

    /// How the program ended.
    enum Ending: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal it did not get from us ended it.
        case signalled(Int32)
        /// It outran the timeout; `killed` says whether SIGTERM was not enough and SIGKILL followed.
        case timedOut(killed: Bool)
        /// It could not be started, for this reason.
        case notStarted(String)
        /// It ended, but its exit status could not be collected (something else reaped it).
        case lost(String)
    }

    /// The outcome of a run.
    struct Outcome: Sendable {
        /// How it ended.
        var ending: Ending
        /// The first bytes of standard output.
        var standardOutput: CapturedOutput
        /// The first bytes of standard error.
        var standardError: CapturedOutput
    }

    /// Writing to a pipe whose reader has gone must fail with EPIPE, not kill the daemon.
    private static let brokenPipesIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Runs `request` and returns once the program has ended and been reaped.
    static func run(_ request: Request) -> Outcome {
        _ = brokenPipesIgnored
        let empty = CapturedOutput(limit: request.captureLimit)
        var pipes: [(read: Int32, write: Int32)] = []
        for _ in 0..<4 {
            guard let pipe = SpawnCalls.makePipe() else {
                let reason = "pipe: \(errorText(errno))"
                closeAll(pipes.flatMap { [$0.read, $0.write] })
                return Outcome(ending: .notStarted(reason), standardOutput: empty, standardError: empty)
            }
            pipes.append(pipe)
        }
        let (input, output, errors, report) = (pipes[0], pipes[1], pipes[2], pipes[3])
        let spawned = spawn(request, stdin: input.read, stdout: output.write, stderr: errors.write, report: report)
        // The child has its copies; ours of its ends must go, or we would never see end-of-file.
        closeAll([input.read, output.write, errors.write])
        guard case .success(let pid) = spawned else {
            closeAll([input.write, output.read, errors.read])
            if case .failure(let reason) = spawned {
                return Outcome(ending: .notStarted(reason.text), standardOutput: empty, standardError: empty)
            }
            return Outcome(ending: .notStarted("unknown"), standardOutput: empty, standardError: empty)
        }
        request.commands?.started(pid)
        defer { request.commands?.ended(pid) }
        var session = Session(
            pid: pid, input: request.input, inputFD: input.write, outputFD: output.read, errorFD: errors.read,
            standardOutput: empty, standardError: empty
        )
        let ending = session.supervise(timeout: request.timeout, killGrace: request.killGrace)
        return Outcome(ending: ending, standardOutput: session.standardOutput, standardError: session.standardError)
    }

    /// Why a spawn failed.
    struct SpawnFailure: Error {
        /// The reason, for the handler run's error.
        let text: String
    }

    /// Starts the program with its standard streams on the given descriptors, through the C helper
    /// `webhookd_spawn` (vfork and exec: posix_spawn cannot set the parent-death signal), and waits on
    /// `report` to learn whether it started. Closes both ends of `report`.
    private static func spawn(_ request: Request, stdin: Int32, stdout: Int32, stderr: Int32, report: (read: Int32, write: Int32)) -> Result<pid_t, SpawnFailure> {
        let argv = request.arguments.map { strdup($0) } + [nil]
        let envp = request.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let parent = getpid()
        let pid: pid_t = request.workingDirectory.withOptionalCString { directory in
            webhookd_spawn(request.executable, argv, envp, directory, stdin, stdout, stderr, report.write, parent)
        }
        let forkError = errno
        close(report.write)
        defer { close(report.read) }
        guard pid > 0 else { return .failure(SpawnFailure(text: "vfork: \(errorText(forkError))")) }
        // End-of-file once exec succeeded (the pipe closes on exec); two int32 when a step failed.
        var message: [Int32] = [0, 0]
        var received = 0
        while received < 8 {
            let count = message.withUnsafeMutableBytes { Glibc.read(report.read, $0.baseAddress! + received, 8 - received) }
            if count > 0 { received += count } else if count < 0, errno == EINTR { continue } else { break }
        }
        guard received == 8 else { return .success(pid) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let reason = errorText(message[1])
        switch message[0] {
        case Int32(WEBHOOKD_SPAWN_CHDIR): return .failure(SpawnFailure(text: "working_directory \(request.workingDirectory ?? ""): \(reason)"))
        case Int32(WEBHOOKD_SPAWN_EXEC): return .failure(SpawnFailure(text: "\(request.executable): \(reason)"))
        default: return .failure(SpawnFailure(text: "setting up the process: \(reason)"))
        }
    }

    /// The text of an errno value.
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Closes every descriptor that is open (not -1).
    private static func closeAll(_ descriptors: [Int32]) {
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
    }
}

extension Optional where Wrapped == String {
    /// Calls `body` with a C string of the value, or with `nil`.
    func withOptionalCString<Result>(_ body: (UnsafePointer<CChar>?) -> Result) -> Result {
        guard let self else { return body(nil) }
        return self.withCString { body($0) }
    }
}
