// The broken paths of the node's mutations (see `Mutations`) that are longer than an
// expression, kept out of the real ones.
extension RaftNode {
    /// `acceptAppendFromOlderTerm`: a follower treats an append from an older term's leader as
    /// if it came from its own leader.
    func acceptStaleAppend(_ message: Message) {
        guard role == .follower else { return }
        handleAppend(message)
    }
}
