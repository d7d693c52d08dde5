import Raft

// Availability under faults: CheckQuorum must be observable, and a connected quorum must make
// progress.
extension Simulation {
    /// CheckQuorum, observed: a leader that has not heard a response (append or heartbeat) from
    /// a quorum of its voters for `2 * electionTicks` of its own ticks — counted from the later
    /// of that quorum's last response and the last restart `r` of its reckoning (its election,
    /// a transfer's start, which restarts its election timer, a membership change it applied,
    /// after which the new voters count) — has stepped down. Only with CheckQuorum on.
    ///
    /// The bound: the check runs at every `electionTicks`-th tick after the timer's last restart
    /// and passes when a quorum answered since the previous check. With the quorum's last
    /// response after tick `q`, the first check at or after tick `max(q, r) + 1` may still pass
    /// (it comes at most `electionTicks` later) and the next one fails: the leader has stepped
    /// down by tick `max(q, r) + 2 * electionTicks`. Dropped, delayed and cut-off answers, paused
    /// and crashed followers all count alike: only what the leader actually received matters.
    func checkCutOffLeader(_ node: SimulatedNode, _ raft: RaftNode) {
        guard options.checksAvailability, options.checkQuorum, raft.role == .leader else { return }
        if node.leaderWatch.term != raft.term {
            // Leading since before this tick.
            node.leaderWatch = SimulatedNode.LeaderWatch(term: raft.term, restartedAt: node.ticks - 1)
        }
        let watch = node.leaderWatch
        let voters = raft.confState.voters
        guard !voters.isEmpty else { return }
        var heard = voters.map { $0 == node.id ? node.ticks : (watch.heard[$0] ?? watch.restartedAt) }
        heard.sort(by: >)
        let since = max(heard[voters.count / 2], watch.restartedAt)
        let bound = 2 * options.electionTicks
        if node.ticks - since >= bound {
            fail(
                .availability,
                "node \(node.id) still leads term \(raft.term) \(node.ticks - since) ticks after it last heard from a quorum of \(voters) or restarted its election timer (bound \(bound - 1))"
            )
        }
    }

    /// While a quorum of the voters is up, running and fully connected, something commits within
    /// `commitWindowTicks` ticks of the slowest of them: a leader exists and proposals commit.
    /// The window restarts whenever the commit index moves or the set of such voters changes.
    func checkProgress() {
        // Without CheckQuorum a leader that can send but not hear keeps its followers quiet
        // forever: Raft promises nothing there.
        guard options.checksAvailability, options.faults, options.checkQuorum else { return }
        // Evaluated on every fourth tick of the cluster: the bound is many ticks long.
        progressTicks &+= 1
        guard progressTicks % 4 == 0 else { return }
        guard let reference = configurationReference else { return resetProgressWindow([]) }
        let voters = reference.confState.voters
        let connected = connectedGroup(of: voters)
        guard connected.count >= voters.count / 2 + 1 else { return resetProgressWindow([]) }
        // The newest configuration may be one the reference has not applied yet (membership
        // takes effect when applied): a quorum must be connected in that one too.
        if let latest = mostAppliedConfiguration, latest != voters,
            connectedGroup(of: latest).count < latest.count / 2 + 1
        {
            return resetProgressWindow([])
        }
        // A voter campaigns in the configuration it has applied, which lags the cluster's when
        // it has not learnt that a membership change committed (a restart with its commit index
        // below the change's entry): then only the old configuration's nodes can tell it or vote
        // for it. Progress is promised while some connected voter can win an election in its own
        // configuration (seed 7495 at 3 voters: the leader removed itself, the one voter left
        // restarted at commit 25 below the removal at 35 and needed the paused old leader's vote).
        guard someVoterCanWin(among: connected) else { return resetProgressWindow([]) }
        if connected != progressWindow.voters || checker.highestCommitted > progressWindow.committed {
            return resetProgressWindow(connected)
        }
        var elapsed = Int.max
        for id in connected {
            guard let node = node(id) else { continue }
            elapsed = min(elapsed, node.ticks - (progressWindow.startTicks[id] ?? node.ticks))
        }
        let bound = commitWindowTicks
        if elapsed > bound {
            fail(
                .availability,
                "voters \(connected) up and connected for \(elapsed) ticks without a commit (bound \(bound)); leaders: \(leaders.map(\.id))"
            )
        }
    }

    /// Whether one of `voters` (running, connected) could win an election in the configuration it
    /// has applied itself: a quorum of that configuration is connected with it and holds logs no
    /// more up to date than its own (Raft §5.4.1), so would grant its vote. With every voter in
    /// the reference configuration, the most up-to-date one always can.
    func someVoterCanWin(among voters: [NodeID]) -> Bool {
        func last(_ id: NodeID) -> (term: UInt64, index: UInt64)? {
            node(id)?.raft.map { (term: $0.term(at: $0.lastIndex) ?? 0, index: $0.lastIndex) }
        }
        return voters.contains { id in
            guard let own = node(id)?.raft?.confState.voters, let mine = last(id) else { return false }
            let group = connectedGroup(of: own)
            guard group.contains(id) else { return false }
            let grants = group.filter { other in
                guard let theirs = last(other) else { return false }
                return theirs.term < mine.term || (theirs.term == mine.term && theirs.index <= mine.index)
            }
            return grants.count >= own.count / 2 + 1
        }
    }

    /// The running voters left once those with a cut link (either way) to another one are
    /// taken out, the most cut first.
    func connectedGroup(of voters: [NodeID]) -> [NodeID] {
        var group = voters.filter { node($0)?.isRunning == true }
        if cutLinks.isEmpty { return group }
        while true {
            var worst: (id: NodeID, cuts: Int)?
            for id in group {
                let cuts = group.filter { $0 != id && (isCut(id, $0) || isCut($0, id)) }.count
                if cuts > 0 && cuts > (worst?.cuts ?? 0) { worst = (id, cuts) }
            }
            guard let worst else { return group }
            group.removeAll { $0 == worst.id }
        }
    }

    /// Thirty election timeouts: elections (PreVote and vote rounds after a randomized timeout
    /// below two election timeouts, a leader lease to wait out; without PreVote, candidates that
    /// split the vote several times in a row) and a commit, with lost and late messages.
    var commitWindowTicks: Int { 30 * options.electionTicks }

    /// The configuration the cluster runs with: the newest leader's, else the most advanced
    /// running node's.
    var configurationReference: RaftNode? {
        var best: RaftNode?
        var bestIsLeader = false
        for node in nodes {
            guard let raft = node.raft else { continue }
            let isLeader = raft.role == .leader
            if let current = best {
                if bestIsLeader && (!isLeader || raft.term <= current.term) { continue }
                if !bestIsLeader && !isLeader && raft.commitIndex <= current.commitIndex { continue }
            }
            best = raft
            bestIsLeader = isLeader
        }
        return best
    }

    /// The voters as the node that applied the most entries knows them: every membership change
    /// committed up to its applied index has taken effect there.
    var mostAppliedConfiguration: [NodeID]? {
        var best: SimulatedNode?
        for node in nodes where node.raft != nil && node.machine.applied > (best?.machine.applied ?? 0) { best = node }
        return best?.raft?.confState.voters
    }

    func resetProgressWindow(_ voters: [NodeID]) {
        progressWindow.voters = voters
        progressWindow.committed = checker.highestCommitted
        progressWindow.startTicks = [:]
        for id in voters { progressWindow.startTicks[id] = node(id)?.ticks ?? 0 }
    }
}
