// Answering (pre-)vote requests and counting the answers (Raft §5.2, §5.4.1, thesis §9.6).
extension RaftNode {
    func handleVoteRequest(_ message: Message) {
        let isPreVote = message.kind == .preVote
        let canVote =
            vote == message.from || (vote == 0 && leader == 0) || (isPreVote && message.term > term)
            || (seam.breaks(.voteTwiceInTerm) && !isPreVote)
        let upToDate =
            log.isUpToDate(index: message.index, term: message.logTerm) || seam.breaks(.voteWithoutLogCheck)
        let responseKind: MessageKind = isPreVote ? .preVoteResponse : .voteResponse
        if canVote && upToDate {
            // A granted pre-vote carries the term asked for, so the pre-candidate counts it.
            var response = Message(kind: responseKind, from: id, to: message.from, term: message.term)
            response.reject = false
            send(response)
            if !isPreVote {
                electionElapsed = 0
                vote = message.from
            }
        } else {
            var response = Message(kind: responseKind, from: id, to: message.from, term: term)
            response.reject = true
            // What this node knows committed, at the candidate's last index or below: see
            // `learnCommit(from:)`.
            response.commit = min(log.committed, message.index)
            response.logTerm = log.term(at: response.commit) ?? 0
            send(response)
        }
    }

    /// A refusal carries the voter's commit index capped at the candidate's last index, with
    /// its term there. If this log holds the same entry, everything up to it is committed (log
    /// matching: the same prefix), so the candidate may commit it. This keeps a cluster live
    /// when the only node that knows a membership change committed is one the change removed:
    /// the remaining voters learn the commit from its refusals, apply the change and elect a
    /// leader without it (found by the simulator: a removed leader paused across elections).
    func learnCommit(from response: Message) {
        let index = response.commit
        guard response.reject, index > log.committed, index <= log.lastIndex(), response.logTerm != 0,
            log.term(at: index) == response.logTerm
        else { return }
        log.commitTo(index)
    }

    func handleVoteResponse(_ message: Message) {
        let expected: MessageKind = role == .preCandidate ? .preVoteResponse : .voteResponse
        guard message.kind == expected else { return }
        learnCommit(from: message)
        switch recordVote(from: message.from, granted: !message.reject) {
        case .won:
            if role == .preCandidate {
                campaign(preVote: false, transfer: false)
            } else {
                becomeLeader()
            }
        case .lost:
            becomeFollower(term: term, leader: 0)
        case .pending:
            break
        }
    }
}
