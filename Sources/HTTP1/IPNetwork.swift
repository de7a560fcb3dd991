/// An address block in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`); a bare address is a block
/// of one (`/32` or `/128`).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The block's first address (host bits cleared).
    public let base: IPAddress
    /// Leading bits that must match, counted over the 16-byte form (an IPv4 `/24` is 120 here).
    let prefixBits: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`; nil when either part is invalid. Host bits past
    /// the prefix are cleared: `10.1.2.3/8` means `10.0.0.0/8`.
    public init?<Text: StringProtocol>(_ text: Text) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        // No brackets and no port here: `10.0.0.1:80` is not a block.
        guard !parts[0].contains("["), parts[0].filter({ $0 == ":" }).count != 1, let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var prefix = width
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...width).contains(value), parts[1].allSatisfy(\.isNumber) else { return nil }
            prefix = value
        }
        prefixBits = prefix + (address.isIPv4 ? 96 : 0)
        base = IPAddress(masking: address, toBits: prefixBits)
    }

    /// Whether `address` lies in the block.
    public func contains(_ address: IPAddress) -> Bool {
        IPAddress(masking: address, toBits: prefixBits) == base
    }

    /// `ADDRESS/PREFIX` in the family's own prefix length.
    public var description: String {
        "\(base)/\(base.isIPv4 ? prefixBits - 96 : prefixBits)"
    }
}

extension IPAddress {
    /// `address` with every bit after the first `bits` cleared.
    init(masking address: IPAddress, toBits bits: Int) {
        var bytes = address.bytes
        for index in bytes.indices {
            let kept = min(8, max(0, bits - index * 8))
            bytes[index] &= kept == 8 ? 0xff : ~(0xff >> UInt8(kept))
        }
        self.init(bytes: bytes)
    }

    /// Wraps 16 bytes.
    init(bytes: [UInt8]) {
        precondition(bytes.count == 16)
        self.bytes = bytes
    }
}
