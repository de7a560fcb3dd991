/// The sign-in form: a name and password, or (with a token configured) the token as the password.
struct SignInPage {
    /// Where to go after signing in.
    let next: String
    /// The anonymous CSRF token the form carries.
    let csrf: String
    /// Whether the last attempt failed.
    let failed: Bool
    /// Whether a token sign-in is possible.
    let acceptsToken: Bool

    /// The page.
    func render() -> HTML {
        ConsolePage.document(title: "Sign in", body: [.element("main", [("class", "signin")], [
            .element("h1", text: "stripe-webhookd console"),
            failed ? .element("p", [("class", "warning"), ("id", "signin-failed")], text: "Wrong name or password.") : .empty,
            .element("form", [("method", "post"), ("action", "/login")], [
                ConsolePage.csrfField(csrf),
                .element("input", [("type", "hidden"), ("name", "next"), ("value", next)]),
                .element("label", [], [.text("Name"), .element("input", [("name", "name"), ("autocomplete", "username")])]),
                .element("label", [], [.text("Password"), .element("input", [("name", "password"), ("type", "password"), ("autocomplete", "current-password")])]),
                .element("button", [("type", "submit")], text: "Sign in"),
            ]),
            acceptsToken ? .element("p", [("class", "note")], text: "With the admin token: leave the name empty and paste the token as the password.") : .empty,
        ])])
    }
}
