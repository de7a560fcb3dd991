/// A configuration problem: a bad flag, a bad config file value, a missing secret. Its message names
/// the key or flag and says what is expected; it never contains a secret.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong and what to do about it.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
