import Foundation

/// A configured value that may come from elsewhere: `env:NAME` (the daemon's environment), `file:PATH`
/// (the file's trimmed contents) or the text itself. Used for command environment variables and
/// forward headers, whose values are often credentials.
public struct ValueReference: Sendable, Equatable, CustomStringConvertible {
    /// Where the value comes from.
    public enum Source: Sendable, Equatable {
        /// The daemon's environment variable of this name.
        case environment(String)
        /// The trimmed contents of this file.
        case file(String)
        /// The text as written.
        case literal(String)
    }

    /// Where the value comes from.
    public var source: Source

    /// Parses `env:NAME`, `file:PATH` or a literal.
    public init(parsing text: String) {
        if text.hasPrefix("env:") {
            source = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:") {
            source = .file(String(text.dropFirst(5)))
        } else {
            source = .literal(text)
        }
    }

    /// A redacted description: the reference, never a value (a literal may be a credential).
    public var description: String {
        switch source {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .literal: "<literal, redacted>"
        }
    }

    /// Reads the value; `key` names the setting in errors, which never contain the value.
    public func resolve(environment: [String: String], key: String) throws(ConfigurationError) -> String {
        switch source {
        case .environment(let name):
            guard !name.isEmpty else { throw ConfigurationError("\(key): env: needs a variable name, as in env:CRM_TOKEN") }
            guard let value = environment[name] else {
                throw ConfigurationError("\(key): the environment variable \(name) is not set in the daemon's environment")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("\(key): cannot read file:\(path) (does it exist and is it readable by this user?)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .literal(let text):
            return text
        }
    }
}
