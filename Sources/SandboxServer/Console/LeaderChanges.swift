/// The leader changes one node has seen (pure): each time the (term, leader) pair it observes
/// differs from the last one, an entry with the time it was seen. Bounded: the newest
/// ``capacity`` are kept. The node feeds it from its status sampler (every 0.1 s), so a term
/// that came and went faster than that may be missing; it starts empty when the node starts.
struct LeaderChanges: Sendable {
    struct Change: Sendable, Equatable {
        var timeMillis: UInt64
        var term: UInt64
        /// The leader seen in that term; 0 while none is known (an election in progress).
        var leader: UInt64
    }

    static let capacity = 50

    /// Oldest first.
    private(set) var changes: [Change] = []
    /// How many changes were seen in all (more than `changes` holds once the ring is full).
    private(set) var seen = 0

    /// Records the pair if it differs from the last one; whether it did.
    @discardableResult
    mutating func observe(term: UInt64, leader: UInt64, atMillis time: UInt64) -> Bool {
        if let last = changes.last, last.term == term, last.leader == leader { return false }
        if changes.count == Self.capacity { changes.removeFirst() }
        changes.append(Change(timeMillis: time, term: term, leader: leader))
        seen += 1
        return true
    }
}
