/// Selects event types for a handler: an exact type, every type under a prefix, or every type.
///
/// - `invoice.paid` matches that type only.
/// - `invoice.*` matches every type that starts with `invoice.` followed by one or more segments:
///   `invoice.paid` and `invoice.payment_failed`, and deeper ones such as `customer.*` matching
///   `customer.subscription.deleted`. It never matches `invoice` itself, nor `invoiceitem.created`,
///   because the prefix is compared up to and including its final `.`.
/// - `*` matches every type.
///
/// Segments are lowercase letters, digits, `_`, `[` and `]`, as in every Stripe type (thin types such as
/// `v2.core.account[configuration.merchant].updated` have brackets); `*` may only stand alone
/// or be the whole last segment. Matching compares bytes exactly (types are case-sensitive).
public struct EventPattern: Sendable, Hashable, CustomStringConvertible {
    /// The form of a pattern.
    enum Form: Hashable, Sendable {
        /// One exact type.
        case exact
        /// Every type beginning with ``EventPattern/prefix`` (which ends in `.`) plus at least one byte.
        case prefix
        /// Every type.
        case all
    }

    /// The pattern as written.
    public let text: String
    /// Which form this is.
    let form: Form
    /// For `.exact`, the type; for `.prefix`, the text before `*` (ending in `.`); for `.all`, empty.
    let prefix: String

    /// The pattern that matches every event type, `*`.
    public static let all = EventPattern(text: "*", form: .all, prefix: "")

    /// The pattern that matches exactly `type` (no validation: any string can be a type).
    public static func exactly(_ type: EventType) -> EventPattern {
        EventPattern(text: type.rawValue, form: .exact, prefix: type.rawValue)
    }

    /// Parses `text`: `invoice.paid`, `invoice.*` or `*`.
    public init(_ text: String) throws(EventPatternError) {
        let expected = "expected an event type such as `invoice.paid`, a prefix wildcard such as `invoice.*`, or `*`"
        guard !text.isEmpty else {
            throw EventPatternError(text: text, message: "the pattern is empty; \(expected)")
        }
        if text == "*" {
            self = .all
            return
        }
        guard !text.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            throw EventPatternError(text: text, message: "the pattern contains whitespace; \(expected)")
        }
        let segments = text.split(separator: ".", omittingEmptySubsequences: false)
        for (position, segment) in segments.enumerated() {
            if segment == "*" && position == segments.count - 1 && position > 0 { continue }
            if segment.contains("*") {
                throw EventPatternError(
                    text: text,
                    message: "`*` may only stand alone or be the whole last segment, as in `invoice.*`; \(expected)"
                )
            }
            guard !segment.isEmpty else {
                throw EventPatternError(text: text, message: "the pattern has an empty segment; \(expected)")
            }
            guard segment.utf8.allSatisfy(Self.isSegmentByte) else {
                throw EventPatternError(
                    text: text,
                    message: "segments may contain only lowercase letters, digits, `_`, `[` and `]`; \(expected)"
                )
            }
        }
        if segments.last == "*" {
            self.init(text: text, form: .prefix, prefix: String(text.dropLast()))
        } else {
            self.init(text: text, form: .exact, prefix: text)
        }
    }

    /// Creates a pattern from already-validated parts.
    private init(text: String, form: Form, prefix: String) {
        self.text = text
        self.form = form
        self.prefix = prefix
    }

    /// Whether this is `*`.
    public var isCatchAll: Bool { form == .all }

    /// Whether `type` is selected by this pattern.
    public func matches(_ type: EventType) -> Bool {
        switch form {
        case .all:
            return true
        case .exact:
            return type.rawValue.utf8.elementsEqual(prefix.utf8)
        case .prefix:
            let typeBytes = type.rawValue.utf8
            return typeBytes.count > prefix.utf8.count && typeBytes.starts(with: prefix.utf8)
        }
    }

    /// The pattern as written.
    public var description: String { text }

    /// Whether `byte` may appear in a segment: `a`–`z`, `0`–`9`, `_`.
    private static func isSegmentByte(_ byte: UInt8) -> Bool {
        // `[` and `]` appear in thin types such as `v2.core.account[configuration.merchant].updated`.
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || ASCII.isDigit(byte) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
    }
}
