// The follower's side of replication (Raft §5.3): appends, heartbeats and snapshots from the
// leader.
extension RaftNode {
    func handleAppend(_ message: Message) {
        var response = outgoing(.appendResponse, to: message.from)
        if message.index < log.committed {
            response.index = log.committed
            send(response)
            return
        }
        if let lastNew = log.maybeAppend(
            index: message.index, logTerm: message.logTerm, commit: message.commit, entries: message.entries)
        {
            if message.entries.isEmpty && acknowledgedAppend.covers(lastNew, term: term, leader: message.from) {
                // The leader was told this already (or will be, once it is durable): the append
                // only carried a commit index. A lost answer reaches it in the next heartbeat's.
                return
            }
            acknowledgedAppend.record(lastNew, term: term, leader: message.from)
            response.index = lastNew
        } else {
            // Fast back-off: tell the leader the last index whose term is at most the one it
            // assumed, so it skips a whole conflicting term per round trip.
            let hint = log.findConflictByTerm(index: min(message.index, log.lastIndex()), term: message.logTerm)
            response.reject = true
            response.index = message.index
            response.rejectHint = hint.index
            response.logTerm = hint.term
        }
        send(response)
    }

    func handleHeartbeat(_ message: Message) {
        log.commitTo(min(message.commit, log.lastIndex()))
        var response = outgoing(.heartbeatResponse, to: message.from)
        response.readRound = message.readRound
        // What this node acknowledged to this leader, as far as it is durable: the match of an
        // empty append it did not answer, or of an answer the network lost. An installed
        // snapshot not yet persisted counts as nothing durable (the storage still holds the log
        // it replaces).
        let durable = log.unstable.snapshot == nil ? log.stableLastIndex : 0
        let stable = seam.breaks(.heartbeatVouchesUnpersisted) ? log.lastIndex() : durable
        response.index = acknowledgedAppend.durableMatch(term: term, leader: message.from, stable: stable)
        send(response)
    }

    func handleSnapshot(_ message: Message) {
        guard let snapshot = message.snapshot else { return }
        var response = outgoing(.appendResponse, to: message.from)
        if restore(snapshot) {
            response.index = log.lastIndex()
        } else {
            response.index = log.committed
        }
        // Up to there this log matches the leader's (its snapshot, or committed entries): later
        // heartbeat answers state it once durable, and an empty append ending there repeats it.
        acknowledgedAppend.record(response.index, term: term, leader: message.from)
        send(response)
    }

    /// Installs a snapshot from the leader unless this node already has what it covers.
    func restore(_ snapshot: Snapshot) -> Bool {
        let meta = snapshot.metadata
        if meta.index <= log.committed { return false }
        guard invariants.require(role == .follower, "only a follower installs a snapshot") else { return false }
        if log.matchTerm(meta.index, meta.term) {
            // We hold the entry: just commit up to it.
            log.commitTo(meta.index)
            return false
        }
        log.restore(snapshot)
        setConfiguration(meta.conf)
        return true
    }
}
