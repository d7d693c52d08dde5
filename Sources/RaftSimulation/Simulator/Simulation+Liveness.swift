import Raft

// Liveness: once every fault is healed, a leader must get a fresh proposal applied everywhere.
extension Simulation {
    // MARK: - Liveness

    /// Heals every fault, restarts every crashed node, then expects a leader to get a fresh
    /// proposal applied on every voter within `livenessTicks` ticks.
    func checkLiveness() {
        step += 1
        cutLinks.removeAll()
        for node in nodes where node.started && !node.isUp { start(node) }
        note("liveness: faults healed, every node up")
        var probe: (node: NodeID, index: UInt64, term: UInt64)?
        for tick in 0..<options.livenessTicks {
            statistics.livenessTicks = tick + 1
            settle()
            if violation != nil { return }
            if let current = probe, let proposer = node(current.node), proposer.raft?.term != current.term {
                probe = nil  // leadership moved on: propose again
            }
            if probe == nil, let leaderNode = leaders.first, let raft = leaderNode.raft {
                nextPayload += 1
                if let index = try? raft.propose(Array("liveness\(nextPayload)".utf8)) {
                    probe = (leaderNode.id, index, raft.term)
                    note("liveness: node \(leaderNode.id) proposes at \(index)")
                }
            }
            if let current = probe, let proposer = node(current.node), let raft = proposer.raft {
                let everywhere = raft.confState.voters.allSatisfy { voter in
                    (node(voter)?.machine.applied ?? 0) >= current.index
                }
                if everywhere && proposer.machine.applied >= current.index
                    && raft.term(at: current.index) == current.term
                {
                    note("liveness: index \(current.index) applied on every voter after \(tick + 1) ticks")
                    return
                }
            }
            for node in liveNodes { node.raft?.tick() }
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
