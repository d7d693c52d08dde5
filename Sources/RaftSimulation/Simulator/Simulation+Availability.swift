import Raft

// Availability under faults: CheckQuorum must be observable, and a connected quorum must make
// progress.
extension Simulation {
    /// A leader that cannot hear from a quorum of its voters (the links from them to it are
    /// cut) stops leading — and so stops serving reads and proposals — within
    /// `2 * electionTicks + 2` of its own ticks: its CheckQuorum runs every election timeout and
    /// needs one full timeout without news. Only with CheckQuorum on.
    func checkCutOffLeader(_ node: SimulatedNode, _ raft: RaftNode) {
        guard options.checksAvailability, options.checkQuorum, raft.role == .leader else {
            node.ticksLeadingCutOff = 0
            return
        }
        let voters = raft.confState.voters
        let heard = voters.filter { $0 == node.id || !isCut($0, node.id) }.count
        if heard >= voters.count / 2 + 1 {
            node.ticksLeadingCutOff = 0
            return
        }
        node.ticksLeadingCutOff += 1
        let bound = 2 * options.electionTicks + 2
        if node.ticksLeadingCutOff > bound {
            fail(
                .availability,
                "node \(node.id) still leads term \(raft.term) after \(node.ticksLeadingCutOff) ticks cut off from a quorum of \(voters) (bound \(bound))"
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

    func resetProgressWindow(_ voters: [NodeID]) {
        progressWindow.voters = voters
        progressWindow.committed = checker.highestCommitted
        progressWindow.startTicks = [:]
        for id in voters { progressWindow.startTicks[id] = node(id)?.ticks ?? 0 }
    }
}
