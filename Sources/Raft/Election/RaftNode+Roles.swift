// Role changes: follower, pre-candidate, candidate, leader (Raft §5.2, thesis §9.6).
extension RaftNode {
    func reset(term newTerm: UInt64) {
        _ = invariants.require(newTerm >= term, "term goes back from \(term) to \(newTerm)")
        if newTerm != term {
            term = newTerm
            vote = 0
            // A heartbeat answer still in the outbox states a match with the old term's leader;
            // once this node moves on it no longer vouches for it (it may truncate those entries
            // before the answer leaves): the answer goes without the index.
            for position in outbox.indices where outbox[position].kind == .heartbeatResponse {
                outbox[position].index = 0
            }
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
}
