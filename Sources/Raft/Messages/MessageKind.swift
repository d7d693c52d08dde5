/// The kinds of message Raft nodes exchange.
public enum MessageKind: UInt8, Sendable, Hashable, CaseIterable {
    /// Leader to follower: entries after `index`/`logTerm`, and the leader's commit index.
    case append = 1
    /// Follower to leader: `index` is the follower's last matching index, or the rejected index
    /// with `rejectHint`/`logTerm` pointing at where the leader should probe next.
    case appendResponse
    /// Leader to follower: keeps the follower's election timer quiet and carries the commit index
    /// (capped at what the follower has) and the current read round.
    case heartbeat
    /// Follower to leader: acknowledges a heartbeat (and its read round).
    case heartbeatResponse
    /// Candidate to voter: asks for a vote in `term` for a log ending at `index`/`logTerm`.
    case vote
    case voteResponse
    /// Pre-candidate to voter: would you vote for me in `term` (not yet adopted)?
    case preVote
    case preVoteResponse
    /// Leader to follower: a snapshot to install because the entries it needs are compacted.
    case snapshot
    /// Leader to the transfer target: start an election now, skipping PreVote.
    case timeoutNow
    /// Follower to leader: a ReadIndex request forwarded with its `context`.
    case readIndex
    /// Leader to follower: the read index (`index`) for the request carrying `context`.
    case readIndexResponse
}
