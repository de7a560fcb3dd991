/// Every error and warning found in one configuration, so that one run of `check-config` (or one
/// failed start) names them all instead of one per run. Each error is `path: what is wrong`, the
/// path as the config file spells it (`handlers[2].command`); an error under a path that already has
/// one (`handlers[2]` after `handlers[2]` failed to decode) is left out as a consequence.
// @unchecked: one load of one configuration uses it, on one thread; it rides in JSONDecoder.userInfo.
final class ConfigurationIssues: @unchecked Sendable {
    /// One error: the key path it concerns, if its message starts with one, and its text.
    private struct Entry {
        /// `handlers[2].command`, or nil for an error about the whole configuration.
        let path: String?
        /// Whether later errors under `path` are consequences of this one and left out.
        let hidesWithin: Bool
        /// The message as shown, with the config file's name before it when it came from the file.
        let text: String
    }

    /// The errors, in the order found.
    private var entries: [Entry] = []
    /// The errors' messages, in the order found.
    var errors: [String] { entries.map(\.text) }
    /// The config file whose decoding errors are being recorded; its name goes before their messages.
    var source: String?
    /// The warnings, in the order found: mistakes that do not stop the daemon (an unknown event type).
    private(set) var warnings: [String] = []

    /// The `JSONDecoder.userInfo` key under which the config file's decoders find the collector.
    static let userInfoKey = CodingUserInfoKey(rawValue: "stripe-webhookd.configuration-issues")!

    /// An empty collector.
    init() {}

    /// The collector a decoder carries, if any.
    static func of(_ decoder: any Decoder) -> ConfigurationIssues? {
        decoder.userInfo[userInfoKey] as? ConfigurationIssues
    }

    /// Records an error message, unless its path or a parent of it already has one that hides what
    /// lies within (an unknown key hides nothing: the object's other mistakes are real ones).
    func error(_ message: String, hidesWithin: Bool = true) {
        let path = Self.path(of: message)
        let hidden = path.map { path in
            entries.contains { entry in entry.hidesWithin && entry.path.map { Self.path(path, isWithin: $0) } == true }
        } ?? false
        guard !hidden else { return }
        entries.append(Entry(path: path, hidesWithin: hidesWithin, text: source.map { "config file \($0): " + message } ?? message))
    }

    /// Records a warning.
    func warn(_ message: String) {
        warnings.append(message)
    }

    /// Records a decoding or configuration error.
    func record(_ error: any Error) {
        switch error {
        case let error as ConfigurationError: self.error(error.message)
        case let error as DecodingError: self.error(DaemonConfiguration.explain(error))
        default: self.error("\(error)")
        }
    }

    /// Runs one check and records what it throws.
    func check(_ body: () throws(ConfigurationError) -> Void) {
        do { try body() } catch { self.error(error.message) }
    }

    /// Nothing found, or one error as it is, or all of them as one error, one per line; the warnings
    /// follow, so that a run that fails still shows them.
    var combinedError: ConfigurationError? {
        var message: String
        switch entries.count {
        case 0: return nil
        case 1: message = entries[0].text
        default: message = "\(entries.count) errors in the configuration:\n" + errors.map { "  - " + $0 }.joined(separator: "\n")
        }
        if !warnings.isEmpty {
            message += "\nwarning\(warnings.count == 1 ? "" : "s"):\n" + warnings.map { "  - " + $0 }.joined(separator: "\n")
        }
        return ConfigurationError(message)
    }

    /// The key path an error message starts with (`handlers[2].command` in `handlers[2].command: …`).
    static func path(of message: String) -> String? {
        guard let colon = message.range(of: ": ") else { return nil }
        let path = message[..<colon.lowerBound]
        guard !path.isEmpty, !path.contains(" ") else { return nil }
        return String(path)
    }

    /// Whether `path` is `parent` or lies under it (`handlers[2].name` under `handlers[2]`).
    static func path(_ path: String, isWithin parent: String) -> Bool {
        guard path.hasPrefix(parent) else { return false }
        let rest = path.dropFirst(parent.count)
        return rest.isEmpty || rest.hasPrefix(".") || rest.hasPrefix("[")
    }
}
