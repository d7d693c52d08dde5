/// A set of voters decided by simple majority: the one place where Raft counts a quorum (commit
/// index, elections, pre-votes, CheckQuorum, ReadIndex acknowledgements).
///
/// Shaped after etcd's `quorum` package so that joint consensus can be added beside it: a joint
/// configuration is two of these, its committed index the smaller of the two and its vote won
/// only when both are won. For that composition an empty configuration commits everything
/// (`UInt64.max`) and wins every vote; callers that can hold no voters check for that first.
struct MajorityConfig: Sendable, Hashable {
    /// The voters, sorted, without duplicates.
    let voters: [NodeID]
    /// How many voters make a quorum: a majority (`voters.count / 2 + 1`).
    let quorum: Int

    init(_ voters: some Sequence<NodeID>) {
        let sorted = Array(Set(voters)).sorted()
        self.init(voters: sorted, quorum: sorted.count / 2 + 1)
    }

    /// A configuration with an explicit quorum size: only the mutation seam passes another size
    /// than a majority (`Testing/MutationSeam.swift`).
    init(voters: [NodeID], quorum: Int) {
        self.voters = voters
        self.quorum = quorum
    }

    var isEmpty: Bool { voters.isEmpty }

    func contains(_ node: NodeID) -> Bool { voters.contains(node) }

    /// The largest index that at least a quorum of voters has acknowledged, given each voter's
    /// acknowledged index (0 for none). Also used for ReadIndex rounds: the newest round a quorum
    /// has echoed.
    func committedIndex(_ acknowledged: (NodeID) -> UInt64) -> UInt64 {
        if voters.isEmpty { return .max }
        let count = voters.count
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { buffer in
            // Insertion sort, descending: clusters are small and this runs on every acknowledgement.
            for position in 0..<count {
                let value = acknowledged(voters[position])
                var slot = position
                while slot > 0 && buffer[slot - 1] < value {
                    buffer[slot] = buffer[slot - 1]
                    slot -= 1
                }
                buffer[slot] = value
            }
            return buffer[min(max(quorum, 1), count) - 1]
        }
    }

    /// Tallies a poll: `vote` gives each voter's answer (nil: no answer yet).
    func voteResult(_ vote: (NodeID) -> Bool?) -> VoteResult {
        if voters.isEmpty { return .won }
        var yes = 0
        var missing = 0
        for voter in voters {
            switch vote(voter) {
            case true?: yes += 1
            case false?: break
            case nil: missing += 1
            }
        }
        if yes >= quorum { return .won }
        if yes + missing >= quorum { return .pending }
        return .lost
    }
}
