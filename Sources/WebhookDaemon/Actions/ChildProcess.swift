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
        guard let input = SpawnCalls.makePipe() else { return Outcome(ending: .notStarted("pipe: \(errorText(errno))"), standardOutput: empty, standardError: empty) }
        guard let output = SpawnCalls.makePipe() else {
            closeAll([input.read, input.write])
            return Outcome(ending: .notStarted("pipe: \(errorText(errno))"), standardOutput: empty, standardError: empty)
        }
        guard let errors = SpawnCalls.makePipe() else {
            closeAll([input.read, input.write, output.read, output.write])
            return Outcome(ending: .notStarted("pipe: \(errorText(errno))"), standardOutput: empty, standardError: empty)
        }
        let spawned = spawn(request, stdin: input.read, stdout: output.write, stderr: errors.write)
        // The child has its copies; ours of its ends must go, or we would never see end-of-file.
        closeAll([input.read, output.write, errors.write])
        guard case .success(let pid) = spawned else {
            closeAll([input.write, output.read, errors.read])
            if case .failure(let reason) = spawned {
                return Outcome(ending: .notStarted(reason.text), standardOutput: empty, standardError: empty)
            }
            return Outcome(ending: .notStarted("unknown"), standardOutput: empty, standardError: empty)
        }
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

    /// Starts the program with its standard streams on the given descriptors.
    private static func spawn(_ request: Request, stdin: Int32, stdout: Int32, stderr: Int32) -> Result<pid_t, SpawnFailure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of the daemon's (sockets, the database) reaches the program, even a descriptor
        // some library opened without close-on-exec.
        if let addCloseFrom = SpawnCalls.addCloseFrom {
            _ = withUnsafeMutablePointer(to: &actions) { addCloseFrom(UnsafeMutableRawPointer($0), 3) }
        }
        if let directory = request.workingDirectory {
            guard let addChangeDirectory = SpawnCalls.addChangeDirectory else {
                return .failure(SpawnFailure(text: "working_directory needs posix_spawn_file_actions_addchdir_np (glibc 2.29 or newer)"))
            }
            let status = withUnsafeMutablePointer(to: &actions) { addChangeDirectory(UnsafeMutableRawPointer($0), directory) }
            guard status == 0 else { return .failure(SpawnFailure(text: "working_directory \(directory): \(errorText(status))")) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = request.arguments.map { strdup($0) } + [nil]
        let envp = request.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, request.executable, &actions, &attributes, argv, envp)
        guard status == 0 else { return .failure(SpawnFailure(text: "\(request.executable): \(errorText(status))")) }
        return .success(pid)
    }

    /// The text of an errno value.
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Closes every descriptor that is open (not -1).
    private static func closeAll(_ descriptors: [Int32]) {
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
    }
}
