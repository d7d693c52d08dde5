// Answering (pre-)vote requests and counting the answers (Raft §5.2, §5.4.1, thesis §9.6).
extension RaftNode {
    func handleVoteRequest(_ message: Message) {
        let isPreVote = message.kind == .preVote
        let canVote =
            vote == message.from || (vote == 0 && leader == 0) || (isPreVote && message.term > term)
            || (mutated(.voteTwiceInTerm) && !isPreVote)
        let upToDate =
            mutated(.voteWithoutLogCheck) || log.isUpToDate(index: message.index, term: message.logTerm)
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
            send(response)
        }
    }

    func handleVoteResponse(_ message: Message) {
        let expected: MessageKind = role == .preCandidate ? .preVoteResponse : .voteResponse
        guard message.kind == expected else { return }
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
