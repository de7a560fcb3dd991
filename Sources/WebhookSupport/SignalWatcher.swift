import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Delivers Unix signals (SIGTERM, SIGINT, SIGHUP) to a handler on a private dispatch queue instead of
/// the process's default action.
public final class SignalWatcher: @unchecked Sendable {
    // @unchecked: `sources` is set once in init; DispatchSource.cancel() is thread-safe.
    private let sources: [any DispatchSourceSignal]

    /// Starts watching `signals`; `handler` runs on a serial queue, once per delivery.
    ///
    /// Each signal is set to `SIG_IGN` before its dispatch source is installed: without that, a signal
    /// arriving between the two would run the default action and kill the process (as
    /// swift-service-lifecycle does it).
    public init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "stripe-webhookd.signals")
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    /// Stops watching; the signals keep being ignored.
    public func cancel() {
        for source in sources { source.cancel() }
    }

    /// The conventional name of a signal number (`SIGTERM`), for logs.
    public static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        default: "signal \(number)"
        }
    }
}
