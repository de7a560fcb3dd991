/// The step between a replay button and the replay: says what will happen and posts the form (with
/// its CSRF token) only when the operator confirms.
struct ConfirmationPage {
    /// The heading.
    let title: String
    /// What the action will do.
    let explanation: [String]
    /// Where the form posts.
    let action: String
    /// Extra hidden fields (name, value).
    let fields: [(String, String)]
    /// The confirm button's text.
    let confirm: String
    /// Where "Cancel" goes.
    let cancel: String
    /// The principal's CSRF token.
    let csrf: String

    /// The page.
    func render(navigation: HTML) -> HTML {
        var form: [HTML] = [ConsolePage.csrfField(csrf)]
        for (name, value) in fields { form.append(.element("input", [("type", "hidden"), ("name", name), ("value", value)])) }
        form.append(.element("button", [("type", "submit"), ("id", "confirm")], text: confirm))
        form.append(.element("a", [("href", cancel), ("class", "reset")], text: "Cancel"))
        return ConsolePage.document(title: title, body: [navigation, .element("main", [], [
            .element("h1", text: title),
            .join(explanation.map { .element("p", text: $0) }),
            .element("form", [("method", "post"), ("action", action), ("class", "confirm")], form),
        ])])
    }
}
