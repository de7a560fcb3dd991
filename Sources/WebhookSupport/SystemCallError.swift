#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the operation's name and the `errno` it left.
public struct SystemCallError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The call that failed, e.g. `bind(127.0.0.1:4242)`.
    public let operation: String
    /// The `errno` value.
    public let code: Int32

    /// Records a failure of `operation` with `code`.
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// `operation failed: strerror (errno)`.
    public var description: String {
        "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// Runs a system call that returns -1 and sets `errno` on failure, retrying on `EINTR`, and turns any
/// other failure into a `SystemCallError` naming `operation`.
@discardableResult
@inlinable
public func systemCall<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ call: () -> T) throws(SystemCallError) -> T {
    while true {
        let result = call()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemCallError(operation: operation(), code: code)
    }
}
