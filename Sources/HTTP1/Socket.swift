#if canImport(Glibc)
import Glibc
#endif
import WebhookSupport

/// A non-blocking TCP socket descriptor and the system calls the server makes on it, each wrapped once
/// with `systemCall` (EINTR retried, errno named). "Would block" is a value (nil), not an error.
struct Socket: Sendable {
    /// The file descriptor.
    let descriptor: Int32

    /// A non-blocking listening socket bound to `host:port` with `SO_REUSEADDR` only (a port left in
    /// TIME_WAIT by a previous run can be bound again at once). Never `SO_REUSEPORT`: with it a second
    /// daemon would bind the same port without a word and take part of the traffic; without it a busy
    /// port fails `bind` with EADDRINUSE. The event loops share this one socket (`duplicate()`).
    static func listen(host: String, port: Int, backlog: Int) throws(SystemCallError) -> Socket {
        let address = try SocketAddress(host: host, port: port)
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let socket = Socket(descriptor: try systemCall("socket") { Glibc.socket(Int32(address.family), flags, 0) })
        do throws(SystemCallError) {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, name: "SO_REUSEADDR")
            let name = address.description
            _ = try address.withSocketAddress { pointer, length throws(SystemCallError) in
                try systemCall("bind(\(name))") { Glibc.bind(socket.descriptor, pointer, length) }
            }
            _ = try systemCall("listen(\(address))") { Glibc.listen(socket.descriptor, Int32(clamping: backlog)) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// A second descriptor for the same socket (close-on-exec), so each event loop can watch and close
    /// its own while the kernel keeps one listening socket and one accept queue.
    func duplicate() throws(SystemCallError) -> Socket {
        Socket(descriptor: try systemCall("fcntl(F_DUPFD_CLOEXEC)") { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) })
    }

    /// The port this socket is bound to.
    func localPort() throws(SystemCallError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                try systemCall("getsockname") { getsockname(descriptor, address, &length) }
            }
        }
        return SocketAddress(storage: storage).port
    }

    /// Accepts one pending connection as a non-blocking socket with its peer as `address:port`; nil
    /// when none is pending.
    func accept() throws(SystemCallError) -> (socket: Socket, remoteAddress: String)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        do throws(SystemCallError) {
            let accepted = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemCallError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                    try systemCall("accept4") { LinuxCalls.accept4(descriptor, address, &length, flags) }
                }
            }
            return (Socket(descriptor: accepted), SocketAddress(storage: storage).description)
        } catch where error.code == EAGAIN || error.code == EWOULDBLOCK {
            return nil
        }
    }

    /// Reads into `buffer`: the byte count (0 at end of stream), or nil when nothing is available.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int? {
        do throws(SystemCallError) {
            return try systemCall("recv") { Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0) }
        } catch where error.code == EAGAIN || error.code == EWOULDBLOCK {
            return nil
        }
    }

    /// Writes from `bytes`: the byte count, or nil when the send buffer is full. `MSG_NOSIGNAL` turns a
    /// closed peer into EPIPE instead of a process-killing SIGPIPE.
    func send(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int? {
        do throws(SystemCallError) {
            return try systemCall("send") { Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        } catch where error.code == EAGAIN || error.code == EWOULDBLOCK {
            return nil
        }
    }

    /// Turns off Nagle's algorithm: each response is one write and must leave at once.
    func setNoDelay() {
        try? setOption(Int32(IPPROTO_TCP), TCP_NODELAY, name: "TCP_NODELAY")
    }

    /// Sends FIN after the data already written, keeping the reading side open (RFC 9112 §9.6).
    func shutdownOutput() {
        _ = try? systemCall("shutdown") { Glibc.shutdown(descriptor, Int32(SHUT_WR)) }
    }

    /// Closes the descriptor. Not retried on EINTR: on Linux the descriptor is gone either way.
    func close() {
        _ = Glibc.close(descriptor)
    }

    /// Sets an integer socket option to 1.
    private func setOption(_ level: Int32, _ option: Int32, name: String) throws(SystemCallError) {
        var on: Int32 = 1
        _ = try systemCall("setsockopt(\(name))") {
            setsockopt(descriptor, level, option, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
