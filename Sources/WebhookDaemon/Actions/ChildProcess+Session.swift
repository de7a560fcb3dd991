import Dispatch
#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// One running program: feeds its input, collects its output, enforces the timeout, reaps it.
    struct Session {
        /// The program's pid, also its process group id.
        let pid: pid_t
        /// What goes to standard input.
        let input: [UInt8]
        /// Our end of its standard input; -1 once closed.
        var inputFD: Int32
        /// Our end of its standard output; -1 once at end-of-file.
        var outputFD: Int32
        /// Our end of its standard error; -1 once at end-of-file.
        var errorFD: Int32
        /// Its standard output so far.
        var standardOutput: CapturedOutput
        /// Its standard error so far.
        var standardError: CapturedOutput
        /// Input bytes written so far.
        private var written = 0

        /// Takes over the parent's pipe ends of a started program.
        /// - Parameters:
        ///   - pid: the program.
        ///   - input: its standard input's contents.
        ///   - inputFD: the write end of its standard input.
        ///   - outputFD: the read end of its standard output.
        ///   - errorFD: the read end of its standard error.
        ///   - standardOutput: an empty capture.
        ///   - standardError: an empty capture.
        init(pid: pid_t, input: [UInt8], inputFD: Int32, outputFD: Int32, errorFD: Int32,
             standardOutput: CapturedOutput, standardError: CapturedOutput) {
            self.pid = pid
            self.input = input
            self.inputFD = inputFD
            self.outputFD = outputFD
            self.errorFD = errorFD
            self.standardOutput = standardOutput
            self.standardError = standardError
            for descriptor in [inputFD, outputFD, errorFD] {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            }
            if input.isEmpty { closeInput() }
        }

        /// Runs until the program has ended and been reaped; returns how it ended.
        mutating func supervise(timeout: Double, killGrace: Double) -> Ending {
            let started = Self.now()
            let deadline = started + Self.nanoseconds(timeout)
            var terminatedAt: UInt64?
            var killed = false
            var status: Int32?
            var nap: Int32 = 1
            var lost = false
            while true {
                if status == nil { (status, lost) = reap() }
                let now = Self.now()
                if lost {
                    // Reaped by someone else (SIGCHLD ignored): the exit status is gone. Whatever of
                    // the group is left must not outlive the run.
                    kill(-pid, SIGKILL)
                    drain()
                    break
                }
                if status != nil {
                    drain()
                    // After a timeout, members of the group that outlived the leader still get SIGKILL.
                    guard let terminatedAt, !killed, kill(-pid, 0) == 0 else { break }
                    if now >= terminatedAt + Self.nanoseconds(killGrace) {
                        kill(-pid, SIGKILL)
                        killed = true
                        break
                    }
                    usleep(10_000)
                    continue
                }
                if terminatedAt == nil, now >= deadline {
                    kill(-pid, SIGTERM)
                    terminatedAt = now
                    closeInput()
                } else if let terminatedAt, !killed, now >= terminatedAt + Self.nanoseconds(killGrace) {
                    kill(-pid, SIGKILL)
                    killed = true
                }
                if inputFD < 0, outputFD < 0, errorFD < 0 {
                    // Both outputs are closed; only the exit is left to wait for.
                    usleep(useconds_t(nap) * 1_000)
                    nap = min(nap * 2, 20)
                } else {
                    exchange(waitingAtMost: 50)
                }
            }
            closeInput()
            for descriptor in [outputFD, errorFD] where descriptor >= 0 { close(descriptor) }
            outputFD = -1
            errorFD = -1
            if terminatedAt != nil { return .timedOut(killed: killed) }
            if lost { return .lost("waitpid: \(ChildProcess.errorText(ECHILD)) (was SIGCHLD ignored?)") }
            guard let status else { return .notStarted("lost track of the process") }
            if Self.exited(status) { return .exited(Self.exitStatus(status)) }
            return .signalled(Self.terminationSignal(status))
        }

        /// Waits up to `milliseconds` for a pipe to be ready, then writes and reads what it can.
        private mutating func exchange(waitingAtMost milliseconds: Int32) {
            var descriptors: [pollfd] = []
            if inputFD >= 0 { descriptors.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            if outputFD >= 0 { descriptors.append(pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)) }
            if errorFD >= 0 { descriptors.append(pollfd(fd: errorFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            guard ready > 0 else { return }
            for descriptor in descriptors where descriptor.revents != 0 {
                if descriptor.fd == inputFD {
                    writeInput()
                } else if descriptor.fd == outputFD {
                    if !read(from: outputFD, into: &standardOutput) { close(outputFD); outputFD = -1 }
                } else if descriptor.fd == errorFD {
                    if !read(from: errorFD, into: &standardError) { close(errorFD); errorFD = -1 }
                }
            }
        }

        /// Writes as much input as the pipe takes; closes it when all is written or the reader went.
        private mutating func writeInput() {
            while written < input.count {
                let count = input[written...].withUnsafeBytes { Glibc.write(inputFD, $0.baseAddress, $0.count) }
                if count > 0 {
                    written += count
                } else if count < 0, errno == EINTR {
                    continue
                } else if count < 0, errno == EAGAIN {
                    return
                } else {
                    break  // EPIPE: the program does not read its input; that is its business.
                }
            }
            closeInput()
        }

        /// Reads what is available into `capture`; returns false at end-of-file or on an error.
        private func read(from descriptor: Int32, into capture: inout CapturedOutput) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffer.withUnsafeBytes { capture.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                    continue
                }
                if count < 0, errno == EINTR { continue }
                return count < 0 && errno == EAGAIN
            }
        }

        /// After the program ended: takes what is still buffered in the pipes, without waiting for
        /// end-of-file (a background child may hold them open).
        private mutating func drain() {
            if outputFD >= 0, !read(from: outputFD, into: &standardOutput) { close(outputFD); outputFD = -1 }
            if errorFD >= 0, !read(from: errorFD, into: &standardError) { close(errorFD); errorFD = -1 }
        }

        /// Closes standard input, so the program sees end-of-file.
        private mutating func closeInput() {
            if inputFD >= 0 { close(inputFD) }
            inputFD = -1
        }

        /// Reaps the program if it has ended: its wait status, or nil while it runs; `lost` when it is
        /// no longer our child to wait for (ECHILD).
        private func reap() -> (status: Int32?, lost: Bool) {
            var status: Int32 = 0
            while true {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid { return (status, false) }
                if result < 0, errno == EINTR { continue }
                return (nil, result < 0 && errno == ECHILD)
            }
        }

        /// Monotonic nanoseconds.
        private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

        /// Seconds as nanoseconds.
        private static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1_000_000_000) }

        // The wait-status macros (WIFEXITED and friends) are not imported into Swift.
        private static func exited(_ status: Int32) -> Bool { status & 0x7F == 0 }
        private static func exitStatus(_ status: Int32) -> Int32 { (status >> 8) & 0xFF }
        private static func terminationSignal(_ status: Int32) -> Int32 { status & 0x7F }
    }
}
