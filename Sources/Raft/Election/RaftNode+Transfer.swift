// Leadership transfer (thesis §3.10).
extension RaftNode {
    /// Hands leadership to `target` (thesis §3.10): the leader stops accepting proposals, brings
    /// the target up to date, then tells it to start an election at once (TimeoutNow). The
    /// transfer is abandoned after an election timeout.
    public func transferLeadership(to target: NodeID) throws(RaftError) {
        try checkRunning()
        guard role == .leader else { throw leader == 0 ? .noLeader : .notLeader(leader: leader) }
        guard voters.contains(target) else { throw .notAVoter(target) }
        if target == id || target == transferTarget { return }
        transferTarget = target
        electionElapsed = 0
        if let pr = progress[target], pr.match == log.lastIndex() {
            send(outgoing(.timeoutNow, to: target))
        } else {
            sendAppend(to: target)
        }
    }
}
