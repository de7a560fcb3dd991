#if canImport(Glibc)
import Glibc
#endif
import WebhookSupport

/// An IPv4 or IPv6 address and port, parsed from numeric text or read back from the kernel.
struct SocketAddress: CustomStringConvertible {
    /// The address as the kernel takes it.
    private var storage = sockaddr_storage()

    /// Parses a numeric IPv4 or IPv6 `host` (`localhost` meaning 127.0.0.1) without any name lookup,
    /// which could block.
    init(host: String, port: Int) throws(SystemCallError) {
        guard (0...65535).contains(port) else { throw SystemCallError(operation: "port \(port)", code: EINVAL) }
        let host = host == "localhost" ? "127.0.0.1" : host
        var parsed = false
        withUnsafeMutableBytes(of: &storage) { raw in
            if host.contains(":") {
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                address.pointee.sin6_family = sa_family_t(AF_INET6)
                address.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                parsed = inet_pton(AF_INET6, host, &address.pointee.sin6_addr) == 1
            } else {
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                address.pointee.sin_family = sa_family_t(AF_INET)
                address.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                parsed = inet_pton(AF_INET, host, &address.pointee.sin_addr) == 1
            }
        }
        guard parsed else { throw SystemCallError(operation: "parse numeric address \(host)", code: EINVAL) }
    }

    /// Wraps an address the kernel filled in.
    init(storage: sockaddr_storage) {
        self.storage = storage
    }

    /// `AF_INET` or `AF_INET6`.
    var family: Int32 { Int32(storage.ss_family) }

    /// The port in host byte order.
    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
                : Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    /// `1.2.3.4:80` or `[::1]:80`.
    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            } else {
                var address = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            }
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Calls `body` with the address as `sockaddr` and its length.
    func withSocketAddress<Result>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemCallError) -> Result
    ) throws(SystemCallError) -> Result {
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        var storage = storage
        return try withUnsafePointer(to: &storage) { pointer throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                try body(address, length)
            }
        }
    }
}
