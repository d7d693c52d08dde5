// Receiving messages: the term rules (Raft §5.1), then what each role does with each kind.
extension RaftNode {
    /// Feeds a message from a peer into the node. Messages for another node, from an unknown
    /// era or of a kind this role does not expect are ignored, as Raft requires.
    public func step(_ message: Message) {
        guard failure == nil, message.to == id, message.from != id, message.from != 0 else { return }
        if message.term > term {
            if message.kind == .vote || message.kind == .preVote {
                // Leader lease (CheckQuorum): while we hear from a leader, ignore campaigns,
                // unless the leader itself asked for this one (transfer).
                let inLease = config.checkQuorum && leader != 0 && electionElapsed < config.electionTicks
                if inLease && !message.isTransfer { return }
            }
            switch message.kind {
            case .preVote:
                break  // a pre-vote does not change our term
            case .preVoteResponse where !message.reject:
                break  // the term we asked for; adopted once we win
            case .append, .heartbeat, .snapshot:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: 0)
            }
        } else if message.term < term {
            if seam.breaks(.acceptAppendFromOlderTerm) && message.kind == .append { return acceptStaleAppend(message) }
            if (config.checkQuorum || config.preVote) && (message.kind == .heartbeat || message.kind == .append) {
                // A stale leader (e.g. back from a partition): tell it our term so it steps down.
                send(outgoing(.appendResponse, to: message.from))
            } else if message.kind == .preVote {
                var response = outgoing(.preVoteResponse, to: message.from)
                response.reject = true
                send(response)
            }
            return
        }

        switch message.kind {
        case .vote, .preVote:
            handleVoteRequest(message)
            return
        default:
            break
        }
        switch role {
        case .leader: stepLeader(message)
        case .candidate, .preCandidate: stepCandidate(message)
        case .follower: stepFollower(message)
        }
    }

    func stepLeader(_ message: Message) {
        switch message.kind {
        case .appendResponse: handleAppendResponse(message)
        case .heartbeatResponse: handleHeartbeatResponse(message)
        case .readIndex: handleReadIndexRequest(from: message.from, context: message.context)
        case .append, .snapshot:
            // Another leader in our own term: election safety is broken.
            invariants.fail(
                "leader \(id) of term \(term) received \(message.kind) from \(message.from) in the same term")
        default: break
        }
    }

    func stepCandidate(_ message: Message) {
        switch message.kind {
        case .append:
            becomeFollower(term: message.term, leader: message.from)
            handleAppend(message)
        case .heartbeat:
            becomeFollower(term: message.term, leader: message.from)
            handleHeartbeat(message)
        case .snapshot:
            becomeFollower(term: message.term, leader: message.from)
            handleSnapshot(message)
        case .voteResponse, .preVoteResponse:
            handleVoteResponse(message)
        default:
            break
        }
    }

    func stepFollower(_ message: Message) {
        switch message.kind {
        case .append:
            electionElapsed = 0
            leader = message.from
            handleAppend(message)
        case .heartbeat:
            electionElapsed = 0
            leader = message.from
            handleHeartbeat(message)
        case .snapshot:
            electionElapsed = 0
            leader = message.from
            handleSnapshot(message)
        case .timeoutNow:
            startElection(transfer: true)
        case .readIndexResponse:
            readStates.append(ReadState(index: message.index, context: message.context))
        default:
            break
        }
    }
}
