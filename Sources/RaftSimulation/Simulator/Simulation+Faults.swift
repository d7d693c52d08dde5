import Raft

// Faults: partitions of several shapes, crashes and restarts, membership changes and
// leadership transfers.
extension Simulation {
    // MARK: - Faults

    func injectFault() {
        let roll = random.below(100)
        switch roll {
        case 0..<14: partition()
        case 14..<32: heal()
        case 32..<42: crashRandomNode()
        case 42..<62: restartRandomNode()
        case 62..<78: changeMembership()
        case 78..<88: transferLeadership()
        case 88..<94: pauseRandomNode()
        default: for node in liveNodes { tick(node) }
        }
    }

    func cut(_ a: [NodeID], from b: [NodeID]) {
        for x in a {
            for y in b where x != y {
                cutLinks.insert(x << 32 | y)
                cutLinks.insert(y << 32 | x)
            }
        }
    }

    func partition() {
        guard !partitionHeld else { return }  // a long partition holds
        cutLinks.removeAll()
        statistics.partitions += 1
        var ids = nodes.filter(\.started).map(\.id)
        for position in stride(from: ids.count - 1, to: 0, by: -1) { ids.swapAt(position, random.below(position + 1)) }
        guard ids.count >= 2 else { return }
        switch random.below(5) {
        case 4:
            cutOffLeader(among: ids)
        case 0:
            let split = 1 + random.below(ids.count - 1)
            cut(Array(ids[..<split]), from: Array(ids[split...]))
            note("partition \(ids[..<split].sorted()) | \(ids[split...].sorted())")
        case 1:
            guard let leader = leaders.first else { return }
            cut([leader.id], from: ids.filter { $0 != leader.id })
            note("isolate leader \(leader.id)")
        case 3:
            // A one-way fault: a node (the leader half the time) that can send but not hear,
            // or hear but not send.
            let node = random.chance(50) ? (leaders.first?.id ?? ids[0]) : ids[0]
            let deaf = random.chance(50)
            for other in ids where other != node {
                cutLinks.insert(deaf ? other << 32 | node : node << 32 | other)
            }
            note("node \(node) can \(deaf ? "send but not receive" : "receive but not send")")
            if random.chance(options.longPartitionPercent) {
                partitionHoldUntil = step + random.between(options.longPartitionSteps)
                note("the one-way partition holds until step \(partitionHoldUntil)")
            }
        default:
            guard ids.count >= 3 else { return }
            let bridge = ids[0]
            let rest = Array(ids[1...])
            let split = 1 + random.below(rest.count - 1)
            cut(Array(rest[..<split]), from: Array(rest[split...]))
            note("bridge \(bridge) between \(rest[..<split].sorted()) and \(rest[split...].sorted())")
        }
    }

    func heal() {
        guard !cutLinks.isEmpty, !partitionHeld else { return }
        cutLinks.removeAll()
        note("heal partitions")
    }

    /// Whether a long partition holds (no heal, no other partition).
    var partitionHeld: Bool {
        if step < partitionHoldUntil { return true }
        guard let hold = leaderCutHold else { return false }
        if let held = node(hold.node), held.isUp, held.ticks < hold.untilTicks { return true }
        leaderCutHold = nil
        return false
    }

    /// Cuts the leader off from every other node — deaf (it still sends: its followers keep
    /// hearing heartbeats and stay quiet, so only its own CheckQuorum ends its reign) or both
    /// ways — while clients keep proposing to it, and holds the cut for three to four election
    /// timeouts of the leader's own clock: long enough for CheckQuorum at any clock rate and
    /// cluster size, and for the others to elect and commit past the entries it accepted alone.
    func cutOffLeader(among ids: [NodeID]) {
        guard let leader = leaders.first(where: \.isRunning) else { return }
        let deaf = random.chance(50)
        for other in ids where other != leader.id {
            cutLinks.insert(other << 32 | leader.id)
            if !deaf { cutLinks.insert(leader.id << 32 | other) }
        }
        let ticks = 3 * options.electionTicks + random.below(options.electionTicks + 1)
        leaderCutHold = (leader.id, leader.ticks + ticks)
        note(
            "cut leader \(leader.id) off \(deaf ? "(it can send, not receive)" : "both ways") for \(ticks) of its ticks"
        )
    }

    func crashRandomNode() {
        let target = random.chance(50) ? leaders.first : randomElement(liveNodes)
        guard let node = target else { return }
        crash(node, reason: "crash")
    }

    func crash(_ node: SimulatedNode, reason: String) {
        node.raft = nil
        node.paused = false
        node.held.removeAll()
        node.leaderWatch = SimulatedNode.LeaderWatch()
        node.incarnation += 1
        node.waitingReads.removeAll()
        statistics.crashes += 1
        // A supervisor restarts it after a while (sooner if a restart fault comes first).
        node.restartAtStep =
            step + options.restartDelay.lowerBound
            + random.below(options.restartDelay.upperBound - options.restartDelay.lowerBound + 1)
        comeBackFromStorage(node)
        nextRestartStep = min(nextRestartStep, node.restartAtStep)
        note(
            "\(reason) node \(node.id) (keeps its storage: last index \((try? node.storage.lastIndex()) ?? 0), term \((try? node.storage.initialState().0.term) ?? 0))"
        )
    }

    func restartRandomNode() {
        let down = nodes.filter { $0.started && !$0.isUp }
        guard let node = randomElement(down) else { return }
        start(node)
        note(
            "restart node \(node.id) at term \(node.raft?.term ?? 0), commit \(node.raft?.commitIndex ?? 0), applied \(node.machine.applied)"
        )
    }

    func changeMembership() {
        guard let leaderNode = leaders.first(where: \.isRunning), let raft = leaderNode.raft else { return }
        let conf = raft.confState
        // Every change that fits the current membership is equally likely.
        var possible: [ConfChange] = []
        if let spare = nodes.first(where: { !$0.started && !removed.contains($0.id) }) {
            possible.append(ConfChange(.addLearner, node: spare.id))
        }
        possible += conf.learners.map { ConfChange(.addVoter, node: $0) }
        possible += conf.learners.map { ConfChange(.removeNode, node: $0) }
        if conf.voters.count > options.minimumVoters ?? options.nodes {
            possible += conf.voters.map { ConfChange(.removeNode, node: $0) }
        }
        let change = randomElement(possible)
        guard let change else { return }
        do {
            let index = try raft.proposeConfChange(change)
            recordProposal(change.encoded(), term: raft.term, index: index)
            note("node \(leaderNode.id) proposes \(change) at \(index)")
            if change.kind == .addLearner, let newcomer = node(change.node), !newcomer.started { start(newcomer) }
        } catch {
            note("node \(leaderNode.id) refuses \(change): \(error)")
        }
    }

    func transferLeadership() {
        guard let leaderNode = leaders.first(where: \.isRunning), let raft = leaderNode.raft else { return }
        guard let target = randomElement(raft.confState.voters.filter { $0 != leaderNode.id }) else { return }
        do {
            try raft.transferLeadership(to: target)
            leaderNode.watchLeadership(term: raft.term, restart: true)  // a transfer restarts the election timer
            statistics.transfersStarted += 1
            note("node \(leaderNode.id) transfers leadership to \(target)")
        } catch {
            note("node \(leaderNode.id) refuses transfer to \(target): \(error)")
        }
    }
}
