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
/// synced, since a machine crash ends every process anyway.
final class RunningCommands: Sendable {
    /// The record file.
    let path: String
    /// Recorded groups: id → the leader's start time.
    private let groups = LockedValue<[pid_t: UInt64]>([:])
    /// Longest `killLeftovers` waits for killed groups to vanish.
    static let killWait: Duration = .seconds(5)

    /// A record kept at `path` (normally the store's path plus `.commands`).
    init(path: String) {
        self.path = path
    }

    /// The record for the SQLite store at `storePath`.
    convenience init(storePath: String) {
        self.init(path: storePath + ".commands")
    }

    /// Records the group of a just-started command (`pid` leads it).
    func started(_ pid: pid_t) {
        let start = Self.processInfo(pid)?.startTime ?? 0
        groups.withLock { groups in
            groups[pid] = start
            write(groups)
        }
    }

    /// Forgets the group of a command that has been reaped.
    func ended(_ pid: pid_t) {
        groups.withLock { groups in
            groups[pid] = nil
            write(groups)
        }
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
        groups.withLock { write($0) }
        return killed
    }

    // MARK: The file

    /// The current boot's id, which the record names so that a record from another boot is ignored.
    static func bootID() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Replaces the file with `groups`: `boot ID` on the first line, then `GROUP START` per line.
    private func write(_ groups: [pid_t: UInt64]) {
        var text = "boot \(Self.bootID())\n"
        for (group, start) in groups.sorted(by: { $0.key < $1.key }) { text += "\(group) \(start)\n" }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        if written == bytes.count { rename(temporary, path) } else { unlink(temporary) }
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
