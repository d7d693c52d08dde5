@_spi(Testing) import Raft

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
        send(outgoing(ready.messages, from: node))
        let sendsEarly = options.mutations.contains(.runtimeSendsBeforePersist)
        if sendsEarly { send(ready.messagesAfterPersist) }  // a broken runtime (mutation testing)
        // 5, early: committed entries already durable are applied before the write, in
        // parallel with it (the runtime's choice, `Ready.durableCommittedCount`).
        let appliesEarly = options.mutations.contains(.runtimeAppliesBeforePersist)
        let early = appliesEarly ? ready.committedEntries.count : ready.durableCommittedCount
        for entry in ready.committedEntries.prefix(early) {
            apply(entry, on: node, raft: raft)
            if violation != nil { return }
        }
        if faulty && options.faults && ready.needsPersistence && random.below(1000) < options.crashDuringReadyPerMille {
            return crash(node, reason: "crash before persisting")
        }
        // 2-3. Persist: snapshot, entries, hard state.
        do {
            if let snapshot = ready.snapshot {
                // State first, then the log (in one step: no crash between them, as with an
                // atomic store): the node's store does both.
                installSnapshot(snapshot, on: node)
                if violation != nil { return }
            }
            if !ready.entries.isEmpty {
                if let (property, problem) = overwriteProblem(ready.entries, on: node, term: raft.term) {
                    return fail(property, problem)
                }
                try node.storage.append(ready.entries)
            }
            if let hard = ready.hardState { try node.storage.setHardState(hard) }
        } catch {
            return fail(.runtime, "node \(node.id) storage refused a Ready: \(error)")
        }
        for entry in ready.entries {
            let previousTerm = entry.index == 1 ? 0 : raft.term(at: entry.index - 1)
            if let problem = checker.observePersisted(entry, previousTerm: previousTerm, on: node.id) {
                return fail(.logMatching, problem)
            }
            if let problem = originProblem(entry, on: node.id) { return fail(.entryOrigin, problem) }
        }
        if faulty && options.faults && ready.needsPersistence && random.below(1000) < options.crashDuringReadyPerMille {
            return crash(node, reason: "crash after persisting, before sending")
        }
        // 4. Messages that vouch for what was just persisted.
        if !sendsEarly { send(ready.messagesAfterPersist) }
        // 5. Apply what needed this write.
        for entry in ready.committedEntries.dropFirst(early) {
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
        guard index > node.machine.applied else {
            return fail(
                .monotonicity, "node \(node.id) installs snapshot \(index) at or below applied \(node.machine.applied)")
        }
        let machine: HashChainMachine
        do {
            machine = try node.store.install(snapshot)
        } catch {
            return fail(.runtime, "node \(node.id) cannot install the snapshot at \(index): \(error)")
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
        var newConf: ConfState?
        if entry.kind == .configChange {
            do {
                let change = try ConfChange(decoding: entry.data)
                let conf = raft.applyConfChange(change)
                newConf = conf
                statistics.membershipChangesApplied += 1
                if change.kind == .removeNode { removed.insert(change.node) }
                if raft.role == .leader {
                    // CheckQuorum counts the new configuration's voters from now on (and a removed
                    // leader's hand-over restarts its timer): the watch starts over.
                    node.watchLeadership(term: raft.term, restart: true)
                }
                note(
                    "node \(node.id) applies \(change) at \(entry.index): voters \(conf.voters) learners \(conf.learners)"
                )
            } catch {
                return fail(.runtime, "node \(node.id) cannot apply membership entry \(entry.index): \(error)")
            }
        }
        node.machine.apply(entry)
        do {
            try node.store.saveApplied(node.machine, conf: newConf)
        } catch {
            return fail(.runtime, "node \(node.id) cannot store the state applied up to \(entry.index): \(error)")
        }
        if let problem = checker.observeApplied(index: entry.index, hash: node.machine.hash, on: node.id) {
            return fail(.stateMachineSafety, problem)
        }
        // An applied entry is committed: recorded here too, since a node may commit, apply and
        // compact an entry between two safety checks.
        if let problem = checker.observeCommitted(index: entry.index, term: entry.term, on: node.id, inTerm: raft.term)
        {
            return fail(.stateMachineSafety, problem)
        }
        if let probe = livenessProbe, probe.index == entry.index, probe.term == entry.term, probe.payload == entry.data
        {
            livenessProbe?.appliedSomewhere = true
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
            try node.store.compact(upTo: applied, machine: node.machine, conf: raft.confState)
            note("node \(node.id) compacts its log up to \(applied)")
        } catch {
            fail(.runtime, "node \(node.id) cannot compact up to \(applied): \(error)")
        }
    }

}
