// Log replication (Raft §5.3), commitment (§5.4.2), flow control and snapshots (§7).
extension RaftNode {
    // MARK: - Leader side

    /// Sends `node` the entries it lacks (or a snapshot when they are compacted). Returns
    /// whether a message was sent.
    @discardableResult
    func sendAppend(to node: NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard node != id, let pr = progress[node], !pr.isPaused else { return false }
        let previousIndex = pr.next - 1
        guard case .success(let previousTerm) = log.lookUpTerm(at: previousIndex) else {
            return sendSnapshot(to: node, pr)
        }
        let last = log.lastIndex()
        var entries: [Entry] = []
        if pr.next <= last {
            switch log.entries(from: pr.next, to: last + 1, maxBytes: config.limits.maxMessageBytes) {
            case .success(let found): entries = found
            case .failure: return sendSnapshot(to: node, pr)
            }
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        var append = outgoing(.append, to: node)
        append.index = previousIndex
        append.logTerm = previousTerm
        append.commit = log.committed
        if let lastEntry = entries.last {
            var bytes = 0
            for entry in entries { bytes += entry.data.count }
            append.entries = entries
            switch pr.state {
            case .replicate:
                pr.next = lastEntry.index + 1
                pr.inflights.add(index: lastEntry.index, size: bytes)
            case .probe:
                pr.probeSent = true
            case .snapshot:
                _ = invariants.require(false, "append sent to a follower waiting for a snapshot")
            }
        } else if pr.state == .probe && previousIndex != pr.match {
            // An empty probe at the acknowledged match goes unanswered (a follower does not
            // repeat an acknowledgement, RaftNode+Follower.swift): it does not pause the
            // follower, so the next entries go out at once and their answer ends the probe.
            pr.probeSent = true
        }
        send(append)
        return true
    }

    func sendSnapshot(to node: NodeID, _ pr: Progress) -> Bool {
        guard pr.recentActive else { return false }  // do not ship a snapshot into the void
        guard case .success(let snapshot) = log.snapshot(), !snapshot.isEmpty else { return false }
        var install = outgoing(.snapshot, to: node)
        install.snapshot = snapshot
        pr.becomeSnapshot(at: snapshot.metadata.index)
        send(install)
        return true
    }

    func broadcastAppend() {
        for node in peers { sendAppend(to: node) }
    }

    func broadcastHeartbeat(readRound: UInt64 = 0) {
        let round = readRound > 0 ? readRound : reads.round
        for node in peers {
            guard let pr = progress[node] else { continue }
            var heartbeat = outgoing(.heartbeat, to: node)
            // Never tell a follower to commit beyond what it is known to hold.
            heartbeat.commit = min(pr.match, log.committed)
            if seam.breaks(.commitUnverifiedEntries) { heartbeat.commit = log.committed }
            heartbeat.readRound = round
            send(heartbeat)
        }
    }

    /// Advances the commit index to what a quorum of voters holds, counting only entries of the
    /// current term (Raft §5.4.2). Returns whether it moved.
    func maybeCommit() -> Bool {
        guard !majority.isEmpty else { return false }
        let index = majority.committedIndex { progress[$0]?.match ?? 0 }
        let before = log.committed
        let moved =
            seam.breaks(.commitEarlierTermByCounting)
            ? log.commitByCounting(index) : log.maybeCommit(index: index, term: term)
        guard moved else { return false }
        _ = invariants.require(log.committed > before, "commit index went back")
        if log.term(at: log.committed) == term { releaseReadsAwaitingCommit() }
        return true
    }

    func handleAppendResponse(_ response: Message) {
        guard let pr = progress[response.from] else { return }
        pr.recentActive = true
        if response.reject {
            var hint = response.rejectHint
            if response.logTerm > 0 {
                hint = log.findConflictByTerm(index: response.rejectHint, term: response.logTerm).index
            }
            if pr.maybeDecrease(rejected: response.index, hint: hint) {
                if pr.state == .replicate { pr.becomeProbe() }
                sendAppend(to: response.from)
            }
            return
        }
        acceptMatch(response.index, from: response.from, pr, inHeartbeatAnswer: false)
    }

    /// A follower's word that its log matches ours up to `index` (an append's answer, or the
    /// index a heartbeat's answer states): moves its progress, maybe the commit index, and keeps
    /// its window full. Returns whether it taught anything (a new match, or the end of a probe).
    @discardableResult
    func acceptMatch(_ index: UInt64, from node: NodeID, _ pr: Progress, inHeartbeatAnswer: Bool) -> Bool {
        let wasPaused = pr.isPaused
        // An answer that confirms the match we probed for also ends the probe (etcd does so). A
        // heartbeat answer is no answer to the probe: it ends it only if it reaches the probe's
        // position (after a snapshot the probe starts past the match, and a stale index would
        // take `next` back behind the compacted log).
        let confirmsProbe =
            pr.state == .probe && pr.match == index && (!inHeartbeatAnswer || index + 1 >= pr.next)
        guard pr.maybeUpdate(index) || confirmsProbe else { return false }
        switch pr.state {
        case .probe:
            pr.becomeReplicate()
        case .snapshot:
            if pr.match + 1 >= log.firstIndex() {
                pr.becomeProbe()
                pr.becomeReplicate()
            }
        case .replicate:
            pr.inflights.free(upTo: index)
        }
        if maybeCommit() {
            needsBroadcast = true
        } else if wasPaused && !needsBroadcast {
            sendAppend(to: node)
        }
        // Pipelining: keep the follower's window full (bounded by the in-flight limits).
        var sent = 0
        while sent < config.limits.maxInflightMessages && sendAppend(to: node, sendIfEmpty: false) {
            sent += 1
        }
        if node == transferTarget && pr.match == log.lastIndex() {
            send(outgoing(.timeoutNow, to: node))
        }
        return true
    }

    func handleHeartbeatResponse(_ response: Message) {
        guard let pr = progress[response.from] else { return }
        pr.recentActive = true
        pr.probeSent = false
        if pr.state == .replicate && pr.inflights.isFull { pr.inflights.freeFirst() }
        // A follower leaves an empty append unanswered when it answered its index before
        // (RaftNode+Follower.swift); what it acknowledged comes here instead, so a lost answer
        // costs a heartbeat interval, not the follower's place in the quorum.
        if response.index > 0 && acceptMatch(response.index, from: response.from, pr, inHeartbeatAnswer: true) {
            // It moved the progress and refilled the window.
        } else if pr.match < log.lastIndex() {
            sendAppend(to: response.from)
        }
        if response.readRound > 0 { acknowledgeReadRound(response.readRound, from: response.from) }
    }

    /// The runtime reports how sending a snapshot to `node` ended.
    public func reportSnapshot(to node: NodeID, failed: Bool) {
        guard failure == nil, role == .leader, let pr = progress[node], pr.state == .snapshot else { return }
        if failed {
            pr.becomeProbe()
        } else {
            // Wait for the follower's append response before streaming again.
            pr.becomeProbe()
            pr.probeSent = true
        }
    }

    /// The runtime reports that `node` could not be reached: stop streaming optimistically.
    public func reportUnreachable(_ node: NodeID) {
        guard failure == nil, role == .leader, let pr = progress[node], pr.state == .replicate else { return }
        pr.becomeProbe()
    }

}
