/// A follower's note of the highest index it acknowledged to one leader in one term.
///
/// Entries a leader sent in its term never conflict with its later appends of that term, so up to
/// that index the follower's log matches the leader's until the term ends (a snapshot from the
/// same leader only installs what its log already matches or lengthens it). That makes two
/// things safe: leaving an empty append that ends exactly there unanswered (the answer would
/// repeat one already given or queued behind persistence), and stating the index, capped at
/// what is durable, in a heartbeat answer.
struct AcknowledgedAppend {
    var term: UInt64 = 0
    var leader: NodeID = 0
    var index: UInt64 = 0

    /// Whether an answer saying `index` to `leader` in `term` was given (or queued) before.
    func covers(_ index: UInt64, term: UInt64, leader: NodeID) -> Bool {
        self.term == term && self.leader == leader && self.index == index
    }

    mutating func record(_ index: UInt64, term: UInt64, leader: NodeID) {
        if self.term == term && self.leader == leader {
            self.index = max(self.index, index)
        } else {
            self = AcknowledgedAppend(term: term, leader: leader, index: index)
        }
    }

    /// The index to state in a heartbeat answer to `leader` in `term` (0: nothing to state):
    /// never beyond `stable`, the last index this node holds durably.
    func durableMatch(term: UInt64, leader: NodeID, stable: UInt64) -> UInt64 {
        guard self.term == term && self.leader == leader else { return 0 }
        return min(index, stable)
    }
}
