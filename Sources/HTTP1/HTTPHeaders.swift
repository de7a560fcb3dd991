/// The header fields of a request or response: ordered `(name, value)` pairs, names compared without
/// regard to ASCII case (RFC 9110 §5.1), repeated names kept as separate lines.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One field line.
    public typealias Element = (name: String, value: String)

    /// The field lines in the order received or added.
    private var fields: [Element]

    /// Creates an empty set of headers.
    public init() { fields = [] }

    /// Creates headers from `(name, value)` pairs, keeping their order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// Creates headers from a literal, keeping the literal's order: `["Content-Type": "text/plain"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Creates empty headers with room for `capacity` lines.
    init(capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// The number of field lines.
    public var count: Int { fields.count }

    /// Whether there are no field lines.
    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field line, keeping any earlier lines of the same name.
    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Removes every line named `name`.
    public mutating func remove(name: String) {
        fields.removeAll { HTTPSyntax.equalsIgnoringCase($0.name, name) }
    }

    /// The first value of `name`; setting replaces every line of that name (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { HTTPSyntax.equalsIgnoringCase($0.name, name) }?.value }
        set {
            remove(name: name)
            if let newValue { add(name: name, value: newValue) }
        }
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { HTTPSyntax.equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }

    /// Whether any line is named `name`.
    public func contains(name: String) -> Bool {
        fields.contains { HTTPSyntax.equalsIgnoringCase($0.name, name) }
    }

    /// Whether any `name` line, read as a comma-separated list, holds `token` (ASCII case ignored):
    /// how `Connection: close` and `Expect: 100-continue` are recognised.
    public func containsToken(_ token: String, in name: String) -> Bool {
        fields.contains { field in
            HTTPSyntax.equalsIgnoringCase(field.name, name)
                && HTTPSyntax.listElements(field.value).contains { HTTPSyntax.equalsIgnoringCase(String($0), token) }
        }
    }

    /// Iterates the field lines in order.
    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    /// `Name: value` lines joined by newlines, for debugging.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}
