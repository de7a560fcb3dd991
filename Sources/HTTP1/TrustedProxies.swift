/// The proxies whose `X-Forwarded-For` is believed, and the client address that follows from it.
///
/// Only a trusted peer's header is read, from the right: each hop a trusted proxy appended is
/// skipped, and the first untrusted one is the client. Entries further left were written by that
/// client and could say anything, so they are never used.
public struct TrustedProxies: Sendable, Equatable {
    /// The trusted proxies' addresses and blocks; empty trusts no one (the header is ignored).
    public let networks: [IPNetwork]

    /// Trusts `networks`.
    public init(_ networks: [IPNetwork]) {
        self.networks = networks
    }

    /// Whether `address` is one of the trusted proxies.
    public func trusts(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address for a request from `peer` carrying `forwardedFor` (the values of every
    /// `X-Forwarded-For` field, in order). The peer when it is not trusted or sent no header; else
    /// the right-most hop that is not a trusted proxy; else, when every hop is trusted, the
    /// left-most. An entry that is not an address ends the walk at the hop that wrote it.
    public func clientAddress(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        guard !networks.isEmpty, trusts(peer), !forwardedFor.isEmpty else { return peer }
        let hops = forwardedFor.flatMap(HTTPSyntax.listElements)
        var client = peer
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return client }
            client = address
            if !trusts(address) { return address }
        }
        return client
    }
}

