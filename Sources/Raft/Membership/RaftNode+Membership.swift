// Membership: learners and single-server changes (thesis §4.1, §4.2.1), applied when the
// runtime applies the committed entry.
extension RaftNode {
    func setConfiguration(_ conf: ConfState) {
        voters = conf.voters.sorted()
        learners = conf.learners.filter { !voters.contains($0) }.sorted()
        updateMajority()
        let next = log.lastIndex() + 1
        var fresh: ProgressMap = [:]
        for node in voters + learners {
            let pr = progress[node] ?? Progress(next: next, isLearner: false, limits: config.limits)
            pr.isLearner = learners.contains(node)
            fresh[node] = pr
        }
        progress = fresh
        peers = (voters + learners).filter { $0 != id }.sorted()
    }

    func validate(_ change: ConfChange) throws(RaftError) {
        let node = change.node
        guard node != 0 else { throw .invalidConfChange("node id 0 is reserved") }
        switch change.kind {
        case .addVoter:
            if voters.contains(node) { throw .invalidConfChange("node \(node) is already a voter") }
            if learners.contains(node), let pr = progress[node],
                pr.match + UInt64(config.limits.maxPromotionLag) < log.committed
            {
                throw .learnerNotCaughtUp(node: node, match: pr.match, commit: log.committed)
            }
        case .addLearner:
            if voters.contains(node) { throw .invalidConfChange("node \(node) is a voter; demotion is not supported") }
            if learners.contains(node) { throw .invalidConfChange("node \(node) is already a learner") }
        case .removeNode:
            guard voters.contains(node) || learners.contains(node) else {
                throw .invalidConfChange("node \(node) is not a member")
            }
            if voters == [node] { throw .invalidConfChange("cannot remove the last voter \(node)") }
        }
    }

    /// Applies a committed membership change; the runtime calls it when it applies the entry and
    /// persists the returned membership with the applied index. Invalid changes (which a leader
    /// never proposes) leave the membership as it is.
    @discardableResult
    public func applyConfChange(_ change: ConfChange) -> ConfState {
        let node = change.node
        switch change.kind {
        case .addVoter:
            if !voters.contains(node) {
                learners.removeAll { $0 == node }
                voters.append(node)
                voters.sort()
            }
        case .addLearner:
            if !voters.contains(node) && !learners.contains(node) {
                learners.append(node)
                learners.sort()
            }
        case .removeNode:
            if voters.count > 1 || !voters.contains(node) {
                voters.removeAll { $0 == node }
                learners.removeAll { $0 == node }
            }
        }
        syncProgressWithConfiguration()
        if role == .leader {
            if !voters.contains(id) {
                handOverAfterRemoval()
            } else {
                if transferTarget != 0 && !voters.contains(transferTarget) { transferTarget = 0 }
                _ = maybeCommit()
                needsBroadcast = true  // new members start receiving the log at once
            }
        }
        return confState
    }

    func syncProgressWithConfiguration() {
        updateMajority()
        let next = log.lastIndex() + 1
        for node in voters + learners where progress[node] == nil {
            let pr = Progress(next: next, isLearner: false, limits: config.limits)
            pr.recentActive = true  // give a new member a chance before CheckQuorum counts it
            progress[node] = pr
        }
        for (node, pr) in progress {
            if voters.contains(node) {
                pr.isLearner = false
            } else if learners.contains(node) {
                pr.isLearner = true
            } else {
                progress[node] = nil
            }
        }
        peers = (voters + learners).filter { $0 != id }.sorted()
    }

    /// A leader that applied its own removal hands over cleanly: it refuses proposals and
    /// brings the most up-to-date voter level with its log (a leadership transfer), tells it to
    /// start an election at once (TimeoutNow), then steps down. Stepping down before the
    /// successor holds its whole log could leave the cluster without a possible leader: a voter
    /// that has not applied the removal yet may still need this node's vote, which its longer
    /// log refuses (found by the simulator with a paused leader). A transfer that times out is
    /// tried again; with no voter to hand over to it steps down at once.
    func handOverAfterRemoval() {
        let last = log.lastIndex()
        let successor = voters.compactMap { node in progress[node].map { (node, $0.match) } }
            .max { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }
        guard let (node, match) = successor, match < last else {
            if let (node, _) = successor { send(outgoing(.timeoutNow, to: node)) }
            let pending = outbox
            becomeFollower(term: term, leader: 0)
            outbox = pending
            return
        }
        transferTarget = node
        electionElapsed = 0
        sendAppend(to: node)
    }
}
