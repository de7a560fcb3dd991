/// The process exit statuses, documented in `--help` and the README.
public enum ExitCode: Int32, Sendable {
    /// Success; for `trigger`, the daemon answered 2xx.
    case success = 0
    /// A runtime failure: the port is taken, the store cannot be opened, the target did not answer.
    case failure = 1
    /// A usage or configuration error: an unknown flag, a bad config key, no signing secret.
    case usage = 2
    /// `trigger` got an answer that was not 2xx.
    case rejected = 3
}
