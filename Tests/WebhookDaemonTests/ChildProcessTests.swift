import Foundation
import Testing
@testable import WebhookDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Starting a program through the vfork/exec helper: what it inherits, and how a failure to start reads.
struct ChildProcessTests {
    /// A request with test defaults.
    static func request(_ executable: String, _ arguments: [String], directory: String? = nil) -> ChildProcess.Request {
        ChildProcess.Request(
            executable: executable, arguments: arguments, environment: ["PATH=/usr/bin:/bin"], workingDirectory: directory,
            input: [], timeout: 10, killGrace: 1, captureLimit: 4096)
    }

    @Test func program_getsOnlyTheStandardDescriptors_defaultSignals_andAGroupOfItsOwn() throws {
        // A descriptor of ours without close-on-exec must not reach the program either.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        // SIGINT ignored here must be back at its default there; the program leads its own group.
        let outcome = ChildProcess.run(Self.request("/bin/sh", ["sh", "-c", """
            for fd in 0 1 2 3 4 5 6 7 8 9 10 11 12 \(leaked); do [ -e /proc/$$/fd/$fd ] && printf '%s ' $fd; done; echo
            grep -E '^SigBlk' /proc/$$/status | tr -s '\\t ' ' '
            echo "group $(cut -d' ' -f5 /proc/$$/stat) pid $$"
            """]))
        #expect(outcome.ending == .exited(0))
        let lines = outcome.standardOutput.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "0 1 2 ", "\(lines)")
        #expect(lines.contains("SigBlk: 0000000000000000"), "\(lines)")
        let group = lines.last?.split(separator: " ")
        #expect(group?.count == 4 && group?[1] == group?[3], "\(lines)")
    }

    @Test func missingDirectory_andAProgramThatCannotRun_areReportedAsNotStarted() throws {
        let missing = ChildProcess.run(Self.request("/bin/true", ["true"], directory: "/nonexistent-webhookd-dir"))
        #expect(missing.ending == .notStarted("working_directory /nonexistent-webhookd-dir: No such file or directory"))

        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notExecutable = directory.appendingPathComponent("plain.txt").path
        try Data("echo hi\n".utf8).write(to: URL(fileURLWithPath: notExecutable))
        let refused = ChildProcess.run(Self.request(notExecutable, ["plain.txt"]))
        #expect(refused.ending == .notStarted("\(notExecutable): Permission denied"))
        // The child that failed was reaped: no zombie of ours is left.
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) <= 0 || errno == ECHILD)
    }
}
