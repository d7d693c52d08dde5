/// How a leader currently replicates to one follower (etcd's progress states).
public enum ReplicationState: Sendable, Hashable {
    /// Unknown match: send one append at a time and wait for the answer.
    case probe
    /// Known match: stream appends optimistically, bounded by the in-flight limits.
    case replicate
    /// The follower needs a snapshot; wait until it is installed (or the attempt times out).
    case snapshot
}
