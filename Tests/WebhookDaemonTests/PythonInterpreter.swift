import Foundation

/// The Python interpreter the tests run: `STRIPE_WEBHOOKD_PYTHON` (scripts/test.sh sets it to the
/// virtual environment it prepares in `.build/venv`), else `python3` from `PATH`.
enum PythonInterpreter {
    /// The interpreter, as the first argument of `/usr/bin/env` (a path, or a name looked up in `PATH`).
    static var command: String {
        let configured = ProcessInfo.processInfo.environment["STRIPE_WEBHOOKD_PYTHON"] ?? ""
        return configured.isEmpty ? "python3" : configured
    }
}
