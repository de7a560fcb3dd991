import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `stripe-webhookd hash-password`: makes the `password_hash` of a console user (`admin.auth.users`).
enum HashPasswordCommand {
    static let help = """
        stripe-webhookd hash-password: print a password hash for admin.auth.users.

        USAGE
          stripe-webhookd hash-password [--iterations N] < password-file
          stripe-webhookd hash-password                  (asks on the terminal, without echo)

        Reads one password (its first line; standard input, or a prompt on a terminal) and prints
        pbkdf2-sha256$ITERATIONS$SALT$HASH: PBKDF2-HMAC-SHA256 with a random 16-byte salt and
        \(PasswordHash.defaultIterations) iterations by default (at least \(PasswordHash.minimumIterations)). Put it in the config file:
          "admin": {"port": 9090, "auth": {"users": [{"name": "ops", "password_hash": "pbkdf2-sha256$…"}]}}

        EXIT CODES
          0 printed; 2 usage error or empty password

        """

    static func run(_ arguments: [String], environment: [String: String], console: Console, input: () -> String? = { readLine(strippingNewline: true) }) throws -> ExitCode {
        var iterations = PasswordHash.defaultIterations
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "-h", "--help":
                console.out(help)
                return .success
            case "--iterations":
                guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value >= PasswordHash.minimumIterations else {
                    throw ConfigurationError("--iterations: expected a number of at least \(PasswordHash.minimumIterations)")
                }
                iterations = value
                index += 1
            default:
                throw ConfigurationError("unexpected argument '\(arguments[index])'; the password is read from standard input")
            }
            index += 1
        }
        let password: String?
        if isatty(STDIN_FILENO) == 1 {
            password = getpass("password for the console user: ").map { String(cString: $0) }
        } else {
            password = input()
        }
        guard let password, !password.isEmpty else { throw ConfigurationError("no password given (standard input was empty)") }
        console.out(PasswordHash(hashing: password, iterations: iterations).encoded + "\n")
        return .success
    }
}
