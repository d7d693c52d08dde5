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

    // MARK: - Role changes

    func reset(term newTerm: UInt64) {
        _ = invariants.require(newTerm >= term, "term goes back from \(term) to \(newTerm)")
        if newTerm != term {
            term = newTerm
            vote = 0
        }
        leader = 0
        electionElapsed = 0
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        transferTarget = 0
        votes.removeAll()
        let next = log.lastIndex() + 1
        for (node, pr) in progress {
            let fresh = Progress(next: next, isLearner: pr.isLearner, limits: config.limits)
            if node == id { fresh.match = log.stableLastIndex }
            progress[node] = fresh
        }
        pendingConfIndex = 0
        uncommittedBytes = 0
        needsBroadcast = false
        reads.reset()
    }

    func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID) {
        reset(term: newTerm)
        leader = newLeader
        role = .follower
    }

    func becomePreCandidate() {
        guard invariants.require(role != .leader, "a leader cannot become pre-candidate") else { return }
        // PreVote changes neither term nor vote.
        votes.removeAll()
        leader = 0
        role = .preCandidate
    }

    func becomeCandidate() {
        guard invariants.require(role != .leader, "a leader cannot become candidate") else { return }
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    func becomeLeader() {
        guard invariants.require(role == .candidate, "only a candidate becomes leader (was \(role))") else { return }
        reset(term: term)
        leader = id
        role = .leader
        if let me = progress[id] {
            me.becomeReplicate()
            me.match = log.stableLastIndex
            me.recentActive = true
        }
        // A no-op entry of this term lets the leader commit (and learn) what earlier terms left.
        log.append([Entry(term: term, index: log.lastIndex() + 1)])
        // No membership change until that entry is applied: a leader must commit an entry of
        // its term first (the fix for the single-server change bug found after the thesis).
        pendingConfIndex = log.lastIndex()
        needsBroadcast = true
    }

    // MARK: - Votes

    func handleVoteRequest(_ message: Message) {
        let isPreVote = message.kind == .preVote
        let canVote =
            vote == message.from || (vote == 0 && leader == 0) || (isPreVote && message.term > term)
            || (mutated(.voteTwiceInTerm) && !isPreVote)
        let upToDate =
            mutated(.voteWithoutLogCheck) || log.isUpToDate(index: message.index, term: message.logTerm)
        let responseKind: MessageKind = isPreVote ? .preVoteResponse : .voteResponse
        if canVote && upToDate {
            // A granted pre-vote carries the term asked for, so the pre-candidate counts it.
            var response = Message(kind: responseKind, from: id, to: message.from, term: message.term)
            response.reject = false
            send(response)
            if !isPreVote {
                electionElapsed = 0
                vote = message.from
            }
        } else {
            var response = Message(kind: responseKind, from: id, to: message.from, term: term)
            response.reject = true
            send(response)
        }
    }

    func handleVoteResponse(_ message: Message) {
        let expected: MessageKind = role == .preCandidate ? .preVoteResponse : .voteResponse
        guard message.kind == expected else { return }
        switch recordVote(from: message.from, granted: !message.reject) {
        case .won:
            if role == .preCandidate {
                campaign(preVote: false, transfer: false)
            } else {
                becomeLeader()
            }
        case .lost:
            becomeFollower(term: term, leader: 0)
        case .pending:
            break
        }
    }

    // MARK: - Leadership transfer

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
