import Raft

// Timing faults: paused nodes, messages held back across elections, and clocks that run at
// different rates.
extension Simulation {
    /// A random node's clock advances one tick; faster clocks are picked more often (each node's
    /// chance is proportional to its `clockRate`).
    func tickRandomNode() {
        var total = 0
        for node in nodes where node.isRunning { total += node.clockRate }
        guard total > 0 else { return }
        var roll = random.below(total)
        for node in nodes where node.isRunning {
            roll -= node.clockRate
            if roll < 0 { return tick(node) }
        }
    }

    func tick(_ node: SimulatedNode) {
        guard let raft = node.raft, !node.paused else { return }
        raft.tick()
        node.ticks += 1
        checkCutOffLeader(node, raft)
        checkProgress()
    }

    /// Pauses a node (the leader half the time) for a long while: it keeps its state and its
    /// queue, and resumes as if nothing happened.
    func pauseRandomNode() {
        let candidates = random.chance(50) ? leaders.filter(\.isRunning) : nodes.filter(\.isRunning)
        guard let node = randomElement(candidates) else { return }
        node.paused = true
        node.resumeAtStep = step + random.between(options.pauseSteps)
        nextResumeStep = min(nextResumeStep, node.resumeAtStep)
        statistics.pauses += 1
        note("pause node \(node.id) until step \(node.resumeAtStep)")
    }

    /// Resumes paused nodes whose time has come: they receive what was queued for them (links
    /// cut meanwhile still drop it).
    func resumeDueNodes(all: Bool = false) {
        guard all || step >= nextResumeStep else { return }
        nextResumeStep = Int.max
        for node in nodes where node.paused && !(all || node.resumeAtStep <= step) {
            nextResumeStep = min(nextResumeStep, node.resumeAtStep)
        }
        for node in nodes where node.paused && (all || node.resumeAtStep <= step) {
            node.paused = false
            let held = node.held
            node.held.removeAll()
            note("resume node \(node.id) with \(held.count) queued messages")
            for message in held { deliver(message, faulty: false) }
        }
    }

    /// Holds a message back for a long time (across elections), or returns false.
    func maybeDelay(_ message: Message) -> Bool {
        guard options.faults, random.below(1000) < options.delayPerMille else { return false }
        let release = step + random.between(random.chance(50) ? options.shortDelaySteps : options.delaySteps)
        delayed.append((release, message))
        nextDelayRelease = min(nextDelayRelease, release)
        statistics.messagesDelayed += 1
        note("delay \(message) until step \(release)")
        return true
    }

    /// Delivers the held-back messages whose time has come (or all of them).
    func releaseDelayedMessages(all: Bool = false) {
        guard !delayed.isEmpty, all || step >= nextDelayRelease else { return }
        nextDelayRelease = Int.max
        var keep: [(release: Int, message: Message)] = []
        var due: [Message] = []
        for item in delayed {
            if all || item.release <= step {
                due.append(item.message)
            } else {
                keep.append(item)
                nextDelayRelease = min(nextDelayRelease, item.release)
            }
        }
        guard !due.isEmpty else { return }
        delayed = keep
        for message in due {
            note("late delivery of \(message)")
            deliver(message, faulty: false)
        }
    }
}

extension Simulation {
    func keepSentAppend(_ message: Message) {
        if sentAppends.count < Self.sentAppendsKept {
            sentAppends.append(message)
        } else {
            sentAppends[sentAppendsCount % Self.sentAppendsKept] = message
        }
        sentAppendsCount &+= 1
    }

    /// Delivers again a copy of an append sent earlier by a leader of an older term than its
    /// receiver's, one the receiver has not committed past: a duplicate that the network held
    /// for a long time (networks may duplicate and delay without bound). Raft must ignore it
    /// (§5.1); a follower that took it would replace entries of its own leader's. Returns false
    /// when there is no such copy.
    func replayStaleAppend() -> Bool {
        let stale = sentAppends.filter { message in
            guard let raft = node(message.to)?.raft else { return false }
            return raft.term > message.term && message.index >= raft.commitIndex
        }
        guard let message = randomElement(stale) else { return false }
        note("late duplicate of \(message)")
        deliver(message, faulty: false)
        return true
    }
}

extension Xoshiro256 {
    /// A uniformly drawn value of `range`.
    mutating func between(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }
}
