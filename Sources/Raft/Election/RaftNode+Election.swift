// Leader election (Raft §5.2), PreVote and CheckQuorum (thesis §9.6), leadership transfer
// (thesis §3.10).
extension RaftNode {
    /// Advances time by one tick.
    public func tick() {
        if failure != nil { return }
        switch role {
        case .leader: tickLeader()
        case .follower, .preCandidate, .candidate: tickElection()
        }
    }

    func tickElection() {
        electionElapsed += 1
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            startElection(transfer: false)
        }
    }

    func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTicks {
            electionElapsed = 0
            if config.checkQuorum && !quorumRecentlyActive() && !seam.breaks(.leaderIgnoresCheckQuorum) {
                // CheckQuorum: a leader cut off from its quorum steps down.
                becomeFollower(term: term, leader: 0)
                return
            }
            if transferTarget != 0 {
                transferTarget = 0  // the transfer timed out
                // A removed leader tries again to hand over (it must not lead on).
                if !isPromotable { return handOverAfterRemoval() }
            }
        }
        for (_, pr) in progress where pr.state == .snapshot {
            pr.snapshotTicks += 1
            // The snapshot (or its answer) may be lost: retry after the snapshot timeout.
            if pr.snapshotTicks > config.snapshotTimeoutTicks ?? config.electionTicks { pr.becomeProbe() }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    /// CheckQuorum: whether a quorum of voters was heard from since the last check (this node
    /// counts itself); clears the marks for the next check.
    func quorumRecentlyActive() -> Bool {
        let result = majority.voteResult { voter in voter == id || progress[voter]?.recentActive == true }
        for (node, pr) in progress where node != id { pr.recentActive = false }
        return result == .won
    }

    func resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = config.electionTicks + Int.random(in: 0..<config.electionTicks, using: &random)
    }

    /// Starts an election now (the `campaign` of the interaction tests) if this node may.
    public func campaign() {
        if failure != nil { return }
        startElection(transfer: false)
    }

    func startElection(transfer: Bool) {
        guard role != .leader, isPromotable else { return }
        if hasUnappliedConfChanges() { return }  // the configuration we would campaign in is stale
        if config.preVote && !transfer {
            campaign(preVote: true, transfer: false)
        } else {
            campaign(preVote: false, transfer: transfer)
        }
    }

    func hasUnappliedConfChanges() -> Bool {
        guard log.committed > log.applied else { return false }
        guard let pending = entries(from: log.applied + 1, to: log.committed + 1) else { return false }
        return pending.contains { $0.kind == .configChange }
    }

    func campaign(preVote: Bool, transfer: Bool) {
        let voteTerm: UInt64
        if preVote {
            becomePreCandidate()
            voteTerm = term + 1
        } else {
            becomeCandidate()
            voteTerm = term
        }
        if recordVote(from: id, granted: true) == .won {
            // A single voter wins at once: its pre-vote leads to the real campaign, and its own
            // vote makes it leader only once the term and vote are durable (`advance`).
            if preVote { campaign(preVote: false, transfer: false) } else { leadIfElectedDurably() }
            return
        }
        let lastIndex = log.lastIndex()
        let lastTerm = log.lastTerm
        for voter in voters where voter != id {
            send(
                Message(
                    kind: preVote ? .preVote : .vote, from: id, to: voter, term: voteTerm, logTerm: lastTerm,
                    index: lastIndex, isTransfer: transfer))
        }
    }

    /// Records `node`'s first answer in this (pre-)election and tallies the votes.
    func recordVote(from node: NodeID, granted: Bool) -> VoteResult {
        if votes[node] == nil { votes[node] = granted }
        return majority.voteResult { votes[$0] }
    }

    /// Becomes leader if this candidate has won and its own term and vote are persisted. A
    /// leader sends its appends before its own writes are durable (thesis §10.2.1), so it must
    /// not lead on a vote a crash could take back: restarted in the old term, it could campaign
    /// (or vote) in the same term again, and two leaders of one term would write different
    /// entries at the same indices. Other voters' grants answer requests sent after persisting,
    /// so only the single voter's instant win waits here (found by the simulator's long run).
    func leadIfElectedDurably() {
        guard role == .candidate, previousHardState.term == term, previousHardState.vote == id else { return }
        guard majority.voteResult({ votes[$0] }) == .won else { return }
        becomeLeader()
    }
}
