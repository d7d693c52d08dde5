// Messages out: one outbox for what may leave at once, one for what vouches for persisted
// state.
extension RaftNode {
    func send(_ message: Message) {
        guard invariants.require(message.to != id && message.to != 0, "message to self or to nobody: \(message)") else {
            return
        }
        switch message.kind {
        case .appendResponse, .vote, .voteResponse:
            // They vouch for entries, a term or a vote: only once durable.
            if seam.breaks(.sendBeforePersist) { return outbox.append(message) }
            outboxAfterPersist.append(message)
        default:
            outbox.append(message)
        }
    }

    func outgoing(_ kind: MessageKind, to: NodeID) -> Message {
        Message(kind: kind, from: id, to: to, term: term)
    }
}
