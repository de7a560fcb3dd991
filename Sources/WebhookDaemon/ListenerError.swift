#if canImport(Glibc)
import Glibc
#endif
import WebhookSupport

/// A listener that could not start: which one, its address, what the system said and, for a busy
/// port, what to do about it. `serve` logs it and exits 1.
public struct ListenerError: Error, Sendable, CustomStringConvertible {
    /// The webhook listener or the admin listener.
    public enum Listener: String, Sendable {
        /// The listener for Stripe's requests (`host`, `port`).
        case webhook
        /// The listener for `/healthz`, `/readyz` and `/metrics` (`admin.host`, `admin.port`).
        case admin
    }

    /// Which listener failed.
    public let listener: Listener
    /// The address it was to bind.
    public let host: String
    /// The port it was to bind.
    public let port: Int
    /// The failed system call.
    public let underlying: SystemCallError

    /// Whether another socket already holds the address (EADDRINUSE).
    public var isAddressInUse: Bool { underlying.code == EADDRINUSE }

    /// One line naming the listener, `host:port` and, for a busy port, how to free or change it.
    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard isAddressInUse else {
            return "cannot listen on \(address) (\(listener.rawValue) listener): \(underlying)"
        }
        let setting = listener == .webhook ? "--port (\"port\" in the config file)" : "--admin-port (\"admin.port\" in the config file)"
        return "cannot listen on \(address) (\(listener.rawValue) listener): address already in use. Another process "
            + "holds this port, perhaps another stripe-webhookd: stop it (`ss -ltnp 'sport = :\(port)'` names it), "
            + "or choose another port with \(setting)."
    }
}
