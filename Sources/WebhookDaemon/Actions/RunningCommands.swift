import Foundation
import WebhookSupport
#if canImport(Glibc)
import Glibc
#endif

/// The process groups of the commands running now, kept in a small file next to the store
/// (`<store>.commands`), so that a daemon killed without a chance to stop them leaves a record: the
/// command itself dies with the daemon (PR_SET_PDEATHSIG), but the programs a script started in its
/// group would live on and overlap with the command's rerun. At start-up, before interrupted events
/// are released, `killLeftovers` kills every recorded group that still has members.
///
/// Each entry holds the group id and the leader's start time (clock ticks since boot, from
/// `/proc/PID/stat`); the file names the boot it was written in. Only processes in that group that
/// started no earlier than the leader, in the same boot, are taken for leftovers, so a group id reused
/// after a reboot is left alone. The file is replaced atomically (rename) on every change; it is not
/// synced, since a machine crash ends every process anyway. When the file cannot be written (disk
/// full, directory gone), the command still runs, but an error says that its processes would outlive
/// a daemon killed now; a notice follows once the record is written again.
final class RunningCommands: Sendable {
    /// What is recorded: the groups, and whether the last write of the file failed.
    private struct State {
        /// Recorded groups: id → the leader's start time.
        var groups: [pid_t: UInt64] = [:]
        /// Whether the file is behind `groups` (the last write failed, and was reported).
        var failing = false
    }

    /// The record file.
    let path: String
    /// Where a failing record is reported.
    private let logger: Logger?
    /// The groups and the file's state.
    private let state = LockedValue(State())
    /// Longest `killLeftovers` waits for killed groups to vanish.
    static let killWait: Duration = .seconds(5)

    /// A record kept at `path` (normally the store's path plus `.commands`); write failures go to `logger`.
    init(path: String, logger: Logger? = nil) {
        self.path = path
        self.logger = logger
    }

    /// The record for the SQLite store at `storePath`.
    convenience init(storePath: String, logger: Logger? = nil) {
        self.init(path: storePath + ".commands", logger: logger)
    }

    /// Records the group of a just-started command (`pid` leads it).
    func started(_ pid: pid_t) {
        let start = Self.processInfo(pid)?.startTime ?? 0
        state.withLock { state in
            state.groups[pid] = start
            record(&state)
        }
    }

    /// Forgets the group of a command that has been reaped.
    func ended(_ pid: pid_t) {
        state.withLock { state in
            state.groups[pid] = nil
            record(&state)
        }
    }

    /// Writes the groups to the file and reports a change between failing and working (once each way,
    /// not once per command).
    private func record(_ state: inout State) {
        let failure = write(state.groups)
        if let failure, !state.failing {
            logger?.error("cannot record the running commands' process groups; if the daemon is killed now, the programs these commands started may outlive it and overlap with their reruns; free the disk or fix the directory", metadata: [
                "commands.record": path, "error": failure,
            ])
        } else if failure == nil, state.failing {
            logger?.notice("the running commands' process groups are recorded again", metadata: ["commands.record": path])
        }
        state.failing = failure != nil
    }

    /// Kills (SIGKILL) every group recorded by a previous run of the daemon that still has members,
    /// waits up to `killWait` for them to go, and empties the record. Returns how many groups it killed.
    /// Call it at start-up, once the store is ours and before interrupted events are released.
    @discardableResult
    func killLeftovers(logger: Logger) -> Int {
        let recorded = read()
        var killed = 0
        var survivors: [pid_t] = []
        for (group, start) in recorded.sorted(by: { $0.key < $1.key }) {
            let members = Self.members(of: group, startedSince: start)
            guard !members.isEmpty else { continue }
            logger.warning("killing the processes a command left running when the daemon died", metadata: [
                "command.process_group": String(group), "command.processes": members.map(String.init).joined(separator: ","),
            ])
            for member in members { kill(member, SIGKILL) }
            kill(-group, SIGKILL)
            killed += 1
            survivors.append(group)
        }
        let deadline = ContinuousClock.now + Self.killWait
        while !survivors.isEmpty, ContinuousClock.now < deadline {
            survivors.removeAll { group in Self.members(of: group, startedSince: recorded[group] ?? 0).isEmpty }
            if !survivors.isEmpty { usleep(10_000) }
        }
        for group in survivors {
            logger.error("processes of a command from before the restart survived SIGKILL", metadata: ["command.process_group": String(group)])
        }
        state.withLock { record(&$0) }
        return killed
    }

    // MARK: The file

    /// The current boot's id, which the record names so that a record from another boot is ignored.
    static func bootID() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Replaces the file with `groups`: `boot ID` on the first line, then `GROUP START` per line.
    /// Returns what went wrong, or `nil` once the new file is in place.
    private func write(_ groups: [pid_t: UInt64]) -> String? {
        var text = "boot \(Self.bootID())\n"
        for (group, start) in groups.sorted(by: { $0.key < $1.key }) { text += "\(group) \(start)\n" }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return "open \(temporary): \(String(cString: strerror(errno)))" }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let writeError = errno
        close(descriptor)
        guard written == bytes.count else {
            unlink(temporary)
            return written < 0 ? "write \(temporary): \(String(cString: strerror(writeError)))" : "write \(temporary): \(written) of \(bytes.count) bytes written"
        }
        guard rename(temporary, path) == 0 else {
            let renameError = errno
            unlink(temporary)
            return "rename \(temporary) to \(path): \(String(cString: strerror(renameError)))"
        }
        return nil
    }

    /// The groups the file records for this boot (none when it is missing or from another boot).
    private func read() -> [pid_t: UInt64] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var lines = text.split(separator: "\n")
        guard let first = lines.first, first == "boot \(Self.bootID())" else { return [:] }
        lines.removeFirst()
        var groups: [pid_t: UInt64] = [:]
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let group = pid_t(fields[0]), group > 1, let start = UInt64(fields[1]) else { continue }
            groups[group] = start
        }
        return groups
    }

    // MARK: /proc

    /// What `/proc/PID/stat` says of a process: its group, its start time, and whether it is a zombie.
    struct ProcessStat {
        /// Its process group.
        var group: pid_t
        /// When it started, clock ticks since boot.
        var startTime: UInt64
        /// Whether it has ended and only waits to be reaped.
        var isZombie: Bool
    }

    /// Reads `/proc/PID/stat`; nil when the process is gone.
    static func processInfo(_ pid: pid_t) -> ProcessStat? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After the parenthesised name: state (field 3), ppid, pgrp (5), … starttime (22).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let group = pid_t(fields[2]), let start = UInt64(fields[19]) else { return nil }
        return ProcessStat(group: group, startTime: start, isZombie: fields[0] == "Z")
    }

    /// Live (not zombie) processes in `group` that started at or after `start`.
    static func members(of group: pid_t, startedSince start: UInt64) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let info = processInfo(pid) else { return false }
            return info.group == group && info.startTime >= start && !info.isZombie
        }
    }
}
