import Raft

/// Why a proposal, read or membership change was not answered with a result. Each case says
/// whether the client may retry and whether the command may have taken effect.
public enum ClusterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The command was certainly not applied (refused, no leader in time, or replaced by a
    /// later leader's entry); retrying is safe.
    case notApplied(String)
    /// The command may or may not have been applied (the leader was lost or the wait timed out
    /// after it was appended). Retry with the same request id: the state machine's idempotency
    /// makes the retry return the single, true answer.
    case unknownOutcome(String)
    /// Too many requests are waiting on this node; back off and retry.
    case overloaded(String)
    /// The request itself is unacceptable (too large); do not retry it unchanged.
    case invalid(String)
    /// The node has stopped (shut down, or its storage failed); retry on another node.
    case stopped(String)

    /// Whether a client should retry (on this node or another, with the same request id).
    public var isRetryable: Bool {
        switch self {
        case .notApplied, .unknownOutcome, .overloaded, .stopped: return true
        case .invalid: return false
        }
    }

    public var description: String {
        switch self {
        case .notApplied(let why): return "not applied (\(why)); retry"
        case .unknownOutcome(let why):
            return "outcome unknown (\(why)); retry with the same request id to learn it"
        case .overloaded(let why): return "node overloaded (\(why)); back off and retry"
        case .invalid(let why): return "request refused: \(why)"
        case .stopped(let why): return "node stopped (\(why)); retry on another node"
        }
    }

    /// The error for a proposal the core refused (nothing was appended).
    static func refused(_ error: RaftError) -> ClusterError {
        switch error {
        case .entryTooLarge, .batchTooLarge: return .invalid("\(error)")
        case .tooManyUncommitted, .tooManyPendingReads: return .overloaded("\(error)")
        case .storageFailed(let why): return .stopped(why)
        default: return .notApplied("\(error)")
        }
    }
}
