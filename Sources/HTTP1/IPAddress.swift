#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as 16 bytes; IPv4 is held IPv4-mapped (`::ffff:a.b.c.d`), so that an
/// IPv4 peer on a dual-stack socket and its dotted form compare equal.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in network byte order.
    public let bytes: [UInt8]

    /// Parses numeric text: `203.0.113.7`, `2001:db8::1`, `::ffff:203.0.113.7`; also `[2001:db8::1]`,
    /// and either form with a port (`203.0.113.7:443`, `[2001:db8::1]:443`) as some proxies write it.
    /// Never looks a name up.
    public init?<Text: StringProtocol>(_ text: Text) {
        var text = Substring(text)
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: end)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber) && rest.count > 1) else { return nil }
            text = text[text.index(after: text.startIndex)..<end]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            // `a.b.c.d:port`: one colon can only be an IPv4 address with its port.
            let port = text[text.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return nil }
            text = text[..<colon]
        }
        guard !text.isEmpty, text.count <= 45 else { return nil }
        let string = String(text)
        var v6 = in6_addr()
        if string.contains(":") {
            guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        var v4 = in_addr()
        guard inet_pton(AF_INET, string, &v4) == 1 else { return nil }
        bytes = Self.mappedPrefix + withUnsafeBytes(of: &v4) { Array($0) }
    }

    /// `::ffff:` — the first 12 bytes of an IPv4-mapped address.
    static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

    /// Whether it is an IPv4 address (held mapped).
    public var isIPv4: Bool { bytes.starts(with: Self.mappedPrefix) }

    /// Dotted form for IPv4, RFC 5952 text for IPv6.
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if isIPv4 {
            var v4 = in_addr()
            withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: bytes[12...]) }
            _ = inet_ntop(AF_INET, &v4, &text, socklen_t(text.count))
        } else {
            var v6 = in6_addr()
            withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
            _ = inet_ntop(AF_INET6, &v6, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
