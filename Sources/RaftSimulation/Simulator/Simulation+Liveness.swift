import Raft

// Liveness: once every fault is healed, a leader must get a fresh proposal applied everywhere.
extension Simulation {
    /// Heals every fault, restarts every crashed node, then expects a leader to get a fresh
    /// proposal applied on every voter within `livenessTicks` ticks.
    func checkLiveness() {
        step += 1
        cutLinks.removeAll()
        partitionHoldUntil = 0
        leaderCutHold = nil
        for node in nodes where node.started && !node.isUp { start(node) }
        resumeDueNodes(all: true)
        releaseDelayedMessages(all: true)
        note("liveness: faults healed, every node up")
        var probe: (node: NodeID, index: UInt64, term: UInt64)?
        for tick in 0..<options.livenessTicks {
            statistics.livenessTicks = tick + 1
            settle()
            if violation != nil { return }
            if let current = probe, probeApplied(current) {
                note("liveness: index \(current.index) applied on every voter after \(tick + 1) ticks")
                return
            }
            if let current = probe, let proposer = node(current.node)?.raft,
                proposer.role != .leader || proposer.term != current.term
            {
                probe = nil  // the proposer stopped leading (maybe removed itself): propose again
            }
            if let current = probe, let newest = leaders.first?.raft, newest.term > current.term {
                // A leader of a newer term exists. Without CheckQuorum and PreVote nothing makes
                // an older one step down when the newer configuration left it out (it was
                // removed, its log too short to learn it) and the newer leader sends it nothing:
                // it leads an empty quorum for ever. Progress is the newest leader's to make.
                probe = nil
            }
            if probe == nil, let leaderNode = leaders.first, let raft = leaderNode.raft {
                nextPayload += 1
                let payload = Array("liveness\(nextPayload)".utf8)
                if let index = try? raft.propose(payload) {
                    probe = (leaderNode.id, index, raft.term)
                    recordProposal(payload, term: raft.term, index: index)
                    livenessProbe = LivenessProbe(index: index, term: raft.term, payload: payload)
                    note("liveness: node \(leaderNode.id) proposes at \(index)")
                }
            }
            for node in liveNodes { self.tick(node) }
        }
        let summary = nodes.filter(\.started).map { node -> String in
            guard let raft = node.raft else { return "\(node.id):down" }
            return "\(node.id):\(raft.role)@\(raft.term) commit=\(raft.commitIndex) applied=\(node.machine.applied)"
        }
        fail(
            .liveness,
            "no proposal applied on every voter within \(options.livenessTicks) ticks after healing: \(summary.joined(separator: ", "))"
        )
    }

    /// Whether the probe entry is committed with the term it was proposed in and applied on
    /// every voter of the current configuration (as the newest leader, or else the proposer,
    /// sees it). A node that removed itself is no voter: it need not apply it.
    func probeApplied(_ probe: (node: NodeID, index: UInt64, term: UInt64)) -> Bool {
        // Some node applied the probe itself (its term and payload) at its index; state machine
        // safety makes every other node that applied that index hold the same history.
        guard let seen = livenessProbe, seen.index == probe.index, seen.appliedSomewhere else { return false }
        guard let reference = leaders.first?.raft ?? node(probe.node)?.raft else { return false }
        let voters = reference.confState.voters
        return !voters.isEmpty && voters.allSatisfy { (node($0)?.machine.applied ?? 0) >= probe.index }
    }

    /// Delivers every message and handles every Ready until the cluster is quiet (bounded).
    func settle() {
        for _ in 0..<64 {
            var busy = false
            while !network.isEmpty {
                busy = true
                livenessDeliveries += 1
                if livenessDeliveries > options.livenessTicks * 500 {
                    return fail(
                        .liveness, "message storm: over \(options.livenessTicks * 500) deliveries after healing")
                }
                let position = random.below(network.count)
                network.swapAt(position, network.count - 1)
                deliver(network.removeLast(), faulty: false)
            }
            for node in nodes where node.raft?.hasReady ?? false {
                busy = true
                handleReady(node, faulty: false)
                if violation != nil { return }
            }
            checkSafety()
            if violation != nil || !busy { return }
        }
    }
}
