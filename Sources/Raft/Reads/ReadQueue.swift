/// ReadIndex requests waiting at a leader (Raft thesis §6.4).
///
/// Each request records the commit index when it arrived and gets a read round; heartbeats
/// carry the newest round and followers echo it. Once a quorum has echoed round `r`, the
/// leader knows it was still leader after every request of round `r` or earlier arrived.
struct ReadQueue {
    struct Request {
        var round: UInt64
        var index: UInt64
        var from: NodeID
        var context: [UInt8]
    }

    /// Requests waiting for a quorum to confirm their round.
    var confirming: [Request] = []
    /// Requests that arrived before the leader committed an entry of its term.
    var awaitingCommit: [Request] = []
    /// The newest round handed out.
    var round: UInt64 = 0
    /// The newest round each peer has echoed.
    var acknowledged: [NodeID: UInt64] = [:]

    var count: Int { confirming.count + awaitingCommit.count }

    mutating func reset() {
        confirming.removeAll()
        awaitingCommit.removeAll()
        acknowledged.removeAll()
    }
}
