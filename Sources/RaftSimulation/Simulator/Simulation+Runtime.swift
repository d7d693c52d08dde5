import Raft

// The simulated runtime: carries out a node's Ready exactly as the persistence contract says,
// with crashes injected between the stages, and plays the clients' side of writes and reads.
extension Simulation {
    func handleReady(_ node: SimulatedNode, faulty: Bool) {
        guard let raft = node.raft else { return }
        let ready = raft.ready()
        if let failure = ready.failure {
            return fail(.runtime, "node \(node.id) stopped: \(failure)")
        }
        if let soft = ready.softState {
            note("node \(node.id) is \(soft.role) (leader \(soft.leader), term \(raft.term))")
        }
        // 1. Messages that depend on nothing unpersisted go out at once.
        send(ready.messages)
        if faulty && options.faults && ready.needsPersistence && random.below(1000) < options.crashDuringReadyPerMille {
            return crash(node, reason: "crash before persisting")
        }
        // 2-3. Persist: snapshot, entries, hard state.
        do {
            if let snapshot = ready.snapshot {
                // State first, then the log (in one step: no crash between them, as with an
                // atomic store).
                installSnapshot(snapshot, on: node)
                if violation != nil { return }
                try node.storage.applySnapshot(snapshot)
            }
            if !ready.entries.isEmpty { try node.storage.append(ready.entries) }
            if let hard = ready.hardState { try node.storage.setHardState(hard) }
        } catch {
            return fail(.runtime, "node \(node.id) storage refused a Ready: \(error)")
        }
        for entry in ready.entries {
            let previousTerm = entry.index == 1 ? 0 : raft.term(at: entry.index - 1)
            if let problem = checker.observePersisted(entry, previousTerm: previousTerm, on: node.id) {
                return fail(.logMatching, problem)
            }
        }
        if faulty && options.faults && ready.needsPersistence && random.below(1000) < options.crashDuringReadyPerMille {
            return crash(node, reason: "crash after persisting, before sending")
        }
        // 4. Messages that vouch for what was just persisted.
        send(ready.messagesAfterPersist)
        // 5. Apply.
        for entry in ready.committedEntries {
            apply(entry, on: node, raft: raft)
            if violation != nil { return }
        }
        // 6. Reads.
        for state in ready.readStates {
            guard let id = readID(state.context), let read = pendingReads[id] else { continue }
            if read.node == node.id && read.incarnation == node.incarnation {
                note("node \(node.id) read r\(id) gets read index \(state.index)")
                node.waitingReads.append((id, state.index))
            }
        }
        serveReads(on: node)
        raft.advance(ready)
        maybeCompact(node, raft: raft)
    }

    func readID(_ context: [UInt8]) -> UInt64? {
        guard context.first == UInt8(ascii: "r") else { return nil }
        return UInt64(String(decoding: context.dropFirst(), as: UTF8.self))
    }

    func installSnapshot(_ snapshot: Snapshot, on node: SimulatedNode) {
        let index = snapshot.metadata.index
        guard let machine = HashChainMachine(decoding: snapshot.data), machine.applied == index else {
            return fail(.runtime, "node \(node.id) got a snapshot at \(index) whose data does not match")
        }
        guard index > node.machine.applied else {
            return fail(
                .monotonicity, "node \(node.id) installs snapshot \(index) at or below applied \(node.machine.applied)")
        }
        if let problem = checker.observeApplied(index: index, hash: machine.hash, on: node.id) {
            return fail(.stateMachineSafety, problem)
        }
        node.machine = machine
        statistics.snapshotsInstalled += 1
        note("node \(node.id) installs snapshot at \(index) (term \(snapshot.metadata.term))")
        // Writes whose entries the snapshot covers: their outcome is unknown to this client.
        pendingWrites = pendingWrites.filter { key, write in !(write.node == node.id && key & 0xFF_FFFF_FFFF <= index) }
    }

    func apply(_ entry: Entry, on node: SimulatedNode, raft: RaftNode) {
        guard entry.index == node.machine.applied + 1 else {
            return fail(.runtime, "node \(node.id) asked to apply \(entry.index) after \(node.machine.applied)")
        }
        if entry.kind == .configChange {
            do {
                let change = try ConfChange(decoding: entry.data)
                let conf = raft.applyConfChange(change)
                try node.storage.setConfState(conf)
                statistics.membershipChangesApplied += 1
                if change.kind == .removeNode { removed.insert(change.node) }
                note(
                    "node \(node.id) applies \(change) at \(entry.index): voters \(conf.voters) learners \(conf.learners)"
                )
            } catch {
                return fail(.runtime, "node \(node.id) cannot apply membership entry \(entry.index): \(error)")
            }
        }
        node.machine.apply(entry)
        if let problem = checker.observeApplied(index: entry.index, hash: node.machine.hash, on: node.id) {
            return fail(.stateMachineSafety, problem)
        }
        let key = node.id << 40 | entry.index
        if let write = pendingWrites.removeValue(forKey: key), write.incarnation == node.incarnation {
            if write.term == entry.term && write.payload == entry.data {
                highestAcknowledged = max(highestAcknowledged, entry.index)
                statistics.writesAcknowledged += 1
                note("write \(String(decoding: entry.data, as: UTF8.self)) acknowledged at \(entry.index)")
            }
        }
    }

    func serveReads(on node: SimulatedNode) {
        guard !node.waitingReads.isEmpty else { return }
        var still: [(id: UInt64, index: UInt64)] = []
        for waiting in node.waitingReads {
            guard waiting.index <= node.machine.applied else {
                still.append(waiting)
                continue
            }
            guard let read = pendingReads.removeValue(forKey: waiting.id) else { continue }
            statistics.readsServed += 1
            note("node \(node.id) serves read r\(waiting.id) at applied \(node.machine.applied)")
            if node.machine.applied < read.mustObserve {
                return fail(
                    .linearizableReads,
                    "read r\(waiting.id) on node \(node.id) observed index \(node.machine.applied), but index \(read.mustObserve) was acknowledged before it began"
                )
            }
        }
        node.waitingReads = still
    }

    func maybeCompact(_ node: SimulatedNode, raft: RaftNode) {
        let applied = node.machine.applied
        guard let first = try? node.storage.firstIndex(), applied >= first - 1 + options.compactionThreshold else {
            return
        }
        do {
            try node.storage.createSnapshot(at: applied, conf: raft.confState, data: node.machine.encoded())
            try node.storage.compact(upTo: applied)
            note("node \(node.id) compacts its log up to \(applied)")
        } catch {
            fail(.runtime, "node \(node.id) cannot compact up to \(applied): \(error)")
        }
    }

    // MARK: - Checks

    func checkSafety() {
        for node in nodes {
            guard let raft = node.raft else { continue }
            if let broken = raft.invariantViolation { return fail(.coreInvariant, "node \(node.id): \(broken)") }
            statistics.highestTerm = max(statistics.highestTerm, raft.term)
            if raft.role == .leader {
                let (isNew, problem) = checker.observeLeader(node.id, term: raft.term)
                if let problem { return fail(.electionSafety, problem) }
                if isNew {
                    note("node \(node.id) becomes leader of term \(raft.term)")
                    checkLeaderCompleteness(node, raft)
                    if violation != nil { return }
                }
            }
            let commit = raft.commitIndex
            if commit < node.lastCommit {
                return fail(
                    .monotonicity, "node \(node.id) commit index went back from \(node.lastCommit) to \(commit)")
            }
            if commit > node.lastCommit {
                let low = max(node.lastCommit + 1, raft.firstIndex)
                if low <= commit {
                    for index in low...commit {
                        guard let term = raft.term(at: index) else { continue }
                        if let problem = checker.observeCommitted(index: index, term: term, on: node.id) {
                            return fail(.stateMachineSafety, problem)
                        }
                    }
                }
                node.lastCommit = commit
            }
        }
    }

    func checkLeaderCompleteness(_ node: SimulatedNode, _ raft: RaftNode) {
        let high = checker.highestCommitted
        let low = max(raft.firstIndex, 1)
        guard low <= high else { return }
        for index in low...high {
            guard let term = checker.committedTerms[index] else { continue }
            let held = raft.term(at: index)
            if held != term {
                return fail(
                    .leaderCompleteness,
                    "node \(node.id), leader of term \(raft.term), lacks committed entry \(term)/\(index) (holds \(held.map(String.init) ?? "nothing"))"
                )
            }
        }
    }

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
