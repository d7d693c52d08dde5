/// A `RaftConfig` the core cannot run with.
public enum RaftConfigError: Error, Sendable, Hashable {
    case invalid(String)
}
