#if canImport(Glibc)
import Glibc
#endif
import WebhookSupport

/// One epoll instance and the buffer its events are read into. Owned by one event loop thread.
final class Epoll {
    /// The epoll descriptor.
    let descriptor: Int32
    /// Room for this many events per wait.
    let capacity: Int
    /// `capacity` raw `struct epoll_event`s.
    private let events: UnsafeMutableRawPointer

    /// Takes ownership of an epoll descriptor made by `create()`.
    init(descriptor: Int32, capacity: Int = 256) {
        self.descriptor = descriptor
        self.capacity = capacity
        events = .allocate(byteCount: capacity * LinuxCalls.epollEventSize, alignment: 8)
    }

    deinit {
        events.deallocate()
        Glibc.close(descriptor)
    }

    /// A new close-on-exec epoll descriptor.
    static func create() throws(SystemCallError) -> Int32 {
        try systemCall("epoll_create1") { LinuxCalls.epollCreate1(LinuxCalls.closeOnExec) }
    }

    /// Registers `fd` for `events`, reported with `token`.
    static func add(_ fd: Int32, events: UInt32, token: UInt64, to epoll: Int32) throws(SystemCallError) {
        // 16 bytes: room for either layout of `struct epoll_event`.
        var event: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &event) { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: LinuxCalls.epollEventDataOffset, as: UInt64.self)
        }
        _ = try systemCall("epoll_ctl(add \(fd))") {
            withUnsafeMutableBytes(of: &event) { LinuxCalls.epollControl(epoll, LinuxCalls.epollAdd, fd, $0.baseAddress) }
        }
    }

    /// Registers `fd` for `events`, reported with `token`.
    func add(_ fd: Int32, events: UInt32, token: UInt64) throws(SystemCallError) {
        try Self.add(fd, events: events, token: token, to: descriptor)
    }

    /// Stops watching `fd` (closing it does the same when no other descriptor shares its file).
    func remove(_ fd: Int32) {
        _ = try? systemCall("epoll_ctl(del \(fd))") { LinuxCalls.epollControl(descriptor, LinuxCalls.epollDelete, fd, nil) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns how many events are ready.
    func wait(timeoutMilliseconds: Int32) throws(SystemCallError) -> Int {
        Int(try systemCall("epoll_wait") { LinuxCalls.epollWait(descriptor, events, Int32(capacity), timeoutMilliseconds) })
    }

    /// The ready event at `index`: its flags and the token it was registered with.
    func event(at index: Int) -> (flags: UInt32, token: UInt64) {
        let base = events + index * LinuxCalls.epollEventSize
        return (base.loadUnaligned(as: UInt32.self), base.loadUnaligned(fromByteOffset: LinuxCalls.epollEventDataOffset, as: UInt64.self))
    }
}
