/// A fragment of HTML that is safe to send: built only from element and attribute names fixed in
/// the source (`StaticString`), from text that went through `HTML.escape`, and from other fragments.
/// The console's renderers build every page with it; no page concatenates markup from strings.
struct HTML: Sendable, Equatable {
    /// The markup.
    private(set) var markup: String

    /// Wraps markup known to be safe; only this file builds fragments from strings.
    private init(markup: String) { self.markup = markup }

    /// Nothing.
    static let empty = HTML(markup: "")

    /// The one escaping function: every value from an event, a request or the store passes through
    /// it before it reaches a page. Escapes `&`, `<`, `>`, `"`, `'` and `` ` `` so that the result is
    /// inert both as element text and inside a quoted attribute value; control characters other than
    /// tab, newline and carriage return become U+FFFD (they have no business on a page).
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "`": escaped += "&#96;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    escaped += "\u{FFFD}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// Text, escaped.
    static func text(_ value: String) -> HTML { HTML(markup: escape(value)) }

    /// Markup written in the source, such as the doctype: never a value.
    static func literal(_ markup: StaticString) -> HTML { HTML(markup: markup.description) }

    /// An element with escaped attribute values and the given children; an empty value is written as
    /// a boolean attribute's `name=""`. Attribute names are the source's own (letters, digits, `-`).
    static func element(_ name: StaticString, _ attributes: [(String, String)] = [], _ children: [HTML] = []) -> HTML {
        var markup = "<" + name.description
        for (attribute, value) in attributes {
            precondition(!attribute.isEmpty && attribute.utf8.allSatisfy(isNameByte), "attribute name \(attribute) is not a fixed name")
            markup += " " + attribute + "=\"" + escape(value) + "\""
        }
        markup += ">"
        if Self.voidElements.contains(name.description) { return HTML(markup: markup) }
        for child in children { markup += child.markup }
        markup += "</" + name.description + ">"
        return HTML(markup: markup)
    }

    /// An element holding only escaped text.
    static func element(_ name: StaticString, _ attributes: [(String, String)] = [], text: String) -> HTML {
        element(name, attributes, [.text(text)])
    }

    /// Fragments one after another.
    static func join(_ fragments: [HTML]) -> HTML {
        HTML(markup: fragments.map(\.markup).joined())
    }

    /// Whether a byte may appear in an attribute name: ASCII letters, digits and `-`.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
    }

    /// Elements that have no end tag (HTML §13.1.2).
    private static let voidElements: Set<String> = ["br", "hr", "img", "input", "link", "meta"]
}
