/// Reads a command's arguments: `--name value`, `--name=value`, bare flags and positionals, in any
/// order. Errors say which option was wrong and point at the command's `--help`.
struct ArgumentScanner {
    private var remaining: ArraySlice<String>
    private let command: String
    /// Positional arguments, in order.
    private(set) var positionals: [String] = []

    /// Scans `arguments` (without the program and command names) for `command`.
    init(_ arguments: [String], command: String) {
        self.remaining = arguments[...]
        self.command = command
    }

    /// An option as read: its name (with dashes) and the inline `=value`, when given.
    struct Option {
        let name: String
        let inlineValue: String?
    }

    /// Returns the next option, collecting positionals on the way; `nil` at the end. After `--`,
    /// everything is positional.
    mutating func nextOption() -> Option? {
        while let argument = remaining.popFirst() {
            if argument == "--" {
                positionals.append(contentsOf: remaining)
                remaining = []
                return nil
            }
            if argument.hasPrefix("-"), argument != "-" {
                if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                    return Option(name: String(argument[..<equals]), inlineValue: String(argument[argument.index(after: equals)...]))
                }
                return Option(name: argument, inlineValue: nil)
            }
            positionals.append(argument)
        }
        return nil
    }

    /// The value of `option`: its inline `=value` or the next argument.
    mutating func value(for option: Option) throws(ConfigurationError) -> String {
        if let inline = option.inlineValue { return inline }
        guard let next = remaining.popFirst() else {
            throw ConfigurationError("\(option.name) needs a value; see 'stripe-webhookd \(command) --help'")
        }
        return next
    }

    /// The value of `option` as an integer within `range`.
    mutating func integer(for option: Option, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws(ConfigurationError) -> Int64 {
        let text = try value(for: option)
        guard let number = Int64(text), range.contains(number) else {
            throw ConfigurationError("\(option.name) \(text): expected a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// Rejects a flag that was given a value (`--list=yes`).
    func flag(_ option: Option) throws(ConfigurationError) {
        if option.inlineValue != nil {
            throw ConfigurationError("\(option.name) takes no value; see 'stripe-webhookd \(command) --help'")
        }
    }

    /// The error for an option this command does not know.
    func unknown(_ option: Option) -> ConfigurationError {
        ConfigurationError("unknown option \(option.name) for 'stripe-webhookd \(command)'; see 'stripe-webhookd \(command) --help'")
    }
}
