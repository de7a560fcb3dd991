import Foundation
import Testing
@testable import WebhookDaemon

/// `stripe-webhookd sign` where a user meets it: on a terminal, and in the README's `curl` example.
@Suite(.serialized)
struct SignCommandTests {
    /// Runs the binary with standard input a pseudo-terminal (made by Python's `pty`, as a shell's
    /// would be), stdout and stderr captured; gives up after 20 s, so a silent wait fails the test.
    static func runOnTerminal(_ arguments: [String]) throws -> CommandLineTests.Run {
        let script = """
            import os, subprocess, sys
            leader, follower = os.openpty()
            try:
                done = subprocess.run(sys.argv[1:], stdin=follower, capture_output=True, timeout=20)
                sys.stdout.buffer.write(done.stdout)
                sys.stderr.buffer.write(done.stderr)
                sys.exit(done.returncode)
            except subprocess.TimeoutExpired:
                sys.stderr.write("TIMEOUT: still waiting after 20 s")
                sys.exit(124)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [PythonInterpreter.command, "-c", script, TestSupport.binary.path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandLineTests.Run(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    @Test func noFileOnATerminal_isAUsageErrorThatSaysWhatItNeeds() throws {
        let run = try Self.runOnTerminal(["sign", "--secret", "whsec_x"])
        #expect(run.status == 2, "\(run.err)")
        #expect(run.err.contains("no payload: give a file to sign"))
        #expect(run.out.isEmpty)
    }

    @Test func noFileWithAPipe_stillSignsStandardInput() throws {
        let payload = Array("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}".utf8)
        let run = try CommandLineTests.run(["sign", "--secret", "whsec_test_secret", "--timestamp", "1700000000"], stdin: payload)
        #expect(run.status == 0)
        #expect(run.out == "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150\n")
    }

    @Test func theReadmeCurlExample_runsAsWrittenFromTheRepositoryRoot() throws {
        let readme = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "To hand-craft a request"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        let block = String(rest[start.upperBound..<end.lowerBound])
        #expect(block.contains(".build/release/stripe-webhookd sign Sources/WebhookDaemon/Samples/"))

        let daemon = try DaemonProcess(["--store", "memory"], environment: ["STRIPE_WEBHOOK_SECRET": "whsec_local_test"])
        defer { daemon.stop() }
        // The same commands, with this build's binary and the test daemon's port.
        let script = block
            .replacingOccurrences(of: ".build/release/stripe-webhookd", with: TestSupport.binary.path)
            .replacingOccurrences(of: "127.0.0.1:4242", with: "127.0.0.1:\(daemon.port)")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script + "\n" + script]
        shell.currentDirectoryURL = TestSupport.packageRoot
        shell.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe()
        shell.standardOutput = out
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(output == #"{"received":true}{"received":true,"duplicate":true}"#, "\(output)")
    }
}
