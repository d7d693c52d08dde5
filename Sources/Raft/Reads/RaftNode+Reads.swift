// Linearizable reads without a log write: ReadIndex (thesis §6.4), on the leader or forwarded
// by a follower.
extension RaftNode {
    /// Asks for a read index for `context`. The answer arrives as a `ReadState` in a later
    /// `Ready` (on the leader, or on this follower once the leader answers).
    public func readIndex(_ context: [UInt8]) throws(RaftError) {
        try checkRunning()
        switch role {
        case .leader:
            if reads.count >= config.limits.maxPendingReads {
                throw .tooManyPendingReads(limit: config.limits.maxPendingReads)
            }
            handleReadIndexRequest(from: id, context: context)
        case .follower where leader != 0:
            var request = outgoing(.readIndex, to: leader)
            request.context = context
            send(request)
        case .follower, .candidate, .preCandidate:
            throw .noLeader
        }
    }

    func handleReadIndexRequest(from node: NodeID, context: [UInt8]) {
        guard reads.count < config.limits.maxPendingReads else { return }  // a forwarded read: the follower retries
        let request = ReadQueue.Request(round: 0, index: log.committed, from: node, context: context)
        if seam.breaks(.readIndexWithoutQuorum) { return answerRead(request) }
        if log.term(at: log.committed) != term {
            // Until it commits an entry of its term the leader does not know the commit index —
            // a single voter included: entries an earlier leader committed may sit above its
            // commit index (issue 9).
            reads.awaitingCommit.append(request)
            return
        }
        confirm(request)
    }

    /// Confirms the leadership for `request` with a heartbeat round, unless this node's own
    /// acknowledgement already makes a quorum (a single voter).
    func confirm(_ request: ReadQueue.Request) {
        var request = request
        if majority.voteResult({ $0 == id }) == .won {
            request.index = max(request.index, log.committed)
            return answerRead(request)
        }
        reads.round += 1
        request.round = reads.round
        request.index = max(request.index, log.committed)
        reads.confirming.append(request)
        broadcastHeartbeat(readRound: reads.round)
    }

    func releaseReadsAwaitingCommit() {
        guard !reads.awaitingCommit.isEmpty else { return }
        let waiting = reads.awaitingCommit
        reads.awaitingCommit.removeAll()
        for request in waiting { confirm(request) }
    }

    func acknowledgeReadRound(_ round: UInt64, from node: NodeID) {
        guard voters.contains(node), round <= reads.round else { return }
        if (reads.acknowledged[node] ?? 0) < round { reads.acknowledged[node] = round }
        guard let first = reads.confirming.first, first.round <= round else { return }
        let confirmed = majority.committedIndex { voter in
            voter == id ? reads.round : reads.acknowledged[voter] ?? 0
        }
        var released = 0
        for request in reads.confirming {
            guard request.round <= confirmed else { break }
            answerRead(request)
            released += 1
        }
        reads.confirming.removeFirst(released)
    }

    func answerRead(_ request: ReadQueue.Request) {
        if request.from == id {
            readStates.append(ReadState(index: request.index, context: request.context))
        } else {
            var response = outgoing(.readIndexResponse, to: request.from)
            response.index = request.index
            response.context = request.context
            send(response)
        }
    }
}
