/// Why a string is not a valid ``EventPattern``; the message says what is expected instead.
public struct EventPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rejected pattern text.
    public let text: String
    /// What is wrong and what a valid pattern looks like.
    public let message: String

    /// Creates an error for `text`.
    public init(text: String, message: String) {
        self.text = text
        self.message = message
    }

    /// `invalid event pattern "<text>": <message>`.
    public var description: String {
        "invalid event pattern \"\(text)\": \(message)"
    }
}
