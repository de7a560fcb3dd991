import Foundation

/// Where a webhook signing secret comes from: `env:NAME`, `file:PATH` or the literal `whsec_…` value,
/// with an optional label that logs and the event record use instead of the secret.
public struct SecretReference: Sendable, Equatable, CustomStringConvertible {
    /// The source of the secret.
    public enum Source: Sendable, Equatable {
        /// The value of an environment variable.
        case environment(String)
        /// One item of a comma-separated environment variable (`STRIPE_WEBHOOK_SECRET=whsec_a,whsec_b`).
        case environmentItem(String, index: Int)
        /// The trimmed contents of a file.
        case file(String)
        /// The secret written in the configuration itself.
        case literal(String)
        /// The secret given with `--secret` (visible in `ps`; fine for development).
        case commandLine(String)
    }

    /// Where the value is read from.
    public var source: Source
    /// A name for the secret in logs (`primary`, `rolled-2026-11`); defaults to the source's description.
    public var label: String?

    /// Parses `env:NAME`, `file:PATH` or a literal secret.
    public init(parsing text: String, label: String? = nil) {
        if text.hasPrefix("env:") {
            source = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:") {
            source = .file(String(text.dropFirst(5)))
        } else {
            source = .literal(text)
        }
        self.label = label
    }

    /// The label shown in logs: the configured one, else `env:NAME`, `file:PATH` or `literal#N`.
    public func displayLabel(index: Int) -> String {
        if let label { return label }
        switch source {
        case .environment(let name): return "env:\(name)"
        case .environmentItem(let name, let item): return "env:\(name)#\(item + 1)"
        case .file(let path): return "file:\(path)"
        case .literal: return "secret#\(index + 1)"
        case .commandLine: return "--secret#\(index + 1)"
        }
    }

    /// A redacted description: never the secret itself.
    public var description: String {
        switch source {
        case .environment(let name): "env:\(name)"
        case .environmentItem(let name, let item): "env:\(name)#\(item + 1)"
        case .file(let path): "file:\(path)"
        case .literal: "<literal secret, redacted>"
        case .commandLine: "<--secret value, redacted>"
        }
    }

    /// Whether the secret is written in the configuration (allowed, with a start-up warning).
    public var isLiteral: Bool {
        if case .literal = source { return true }
        return false
    }

    /// Reads the secret's value. Errors name the variable or file, never the value.
    public func resolve(environment: [String: String]) throws(ConfigurationError) -> String {
        let value: String
        switch source {
        case .environment(let name):
            guard let found = environment[name], !found.isEmpty else {
                throw ConfigurationError("secret env:\(name): the environment variable \(name) is not set or empty")
            }
            value = found
        case .environmentItem(let name, let item):
            let items = (environment[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard item < items.count, !items[item].isEmpty else {
                throw ConfigurationError("secret \(self): the environment variable \(name) has no item \(item + 1)")
            }
            value = items[item]
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("secret file:\(path): cannot read the file (does it exist and is it readable by this user?)")
            }
            value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .literal(let text), .commandLine(let text):
            value = text
        }
        guard !value.isEmpty else { throw ConfigurationError("secret \(self): the value is empty") }
        guard !value.contains(where: { $0 == "," || $0.isWhitespace }) else {
            throw ConfigurationError("secret \(self): the value contains a comma or white space; a Stripe signing secret looks like whsec_…")
        }
        return value
    }
}
