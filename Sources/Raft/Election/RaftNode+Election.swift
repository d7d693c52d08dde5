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
            if config.checkQuorum && !quorumRecentlyActive() {
                // CheckQuorum: a leader cut off from its quorum steps down.
                becomeFollower(term: term, leader: 0)
                return
            }
            if transferTarget != 0 { transferTarget = 0 }  // the transfer timed out
        }
        for (_, pr) in progress where pr.state == .snapshot {
            pr.snapshotTicks += 1
            // The snapshot (or its answer) may be lost: retry after an election timeout.
            if pr.snapshotTicks > config.electionTicks { pr.becomeProbe() }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    func quorumRecentlyActive() -> Bool {
        var active = 0
        for voter in voters {
            guard let pr = progress[voter] else { continue }
            if voter == id || pr.recentActive { active += 1 }
        }
        for (node, pr) in progress where node != id { pr.recentActive = false }
        return active >= quorum
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
            // A single-voter cluster wins at once.
            if preVote { campaign(preVote: false, transfer: false) } else { becomeLeader() }
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

    enum VoteResult { case won, lost, pending }

    func recordVote(from node: NodeID, granted: Bool) -> VoteResult {
        if votes[node] == nil { votes[node] = granted }
        var yes = 0
        var no = 0
        for voter in voters {
            switch votes[voter] {
            case true?: yes += 1
            case false?: no += 1
            case nil: break
            }
        }
        if yes >= quorum { return .won }
        if no > voters.count - quorum { return .lost }
        return .pending
    }

}
