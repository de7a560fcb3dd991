/// The daemon's version, printed by `--version` and logged at start-up.
public enum Version {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
