import Testing

@testable import Raft

/// `MajorityConfig`: the one place where majorities are counted.
@Suite struct QuorumTests {
    @Test(arguments: [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4), (9, 5)])
    func aQuorumIsAMajority(voters: Int, quorum: Int) {
        let config = MajorityConfig((1...UInt64(voters)).map { $0 })
        #expect(config.quorum == quorum)
    }

    @Test func votersAreSortedAndUnique() {
        #expect(MajorityConfig([3, 1, 2, 3]).voters == [1, 2, 3])
    }

    @Test func theCommittedIndexIsTheHighestAQuorumHolds() {
        let config = MajorityConfig([1, 2, 3, 4, 5])
        let acknowledged: [NodeID: UInt64] = [1: 9, 2: 4, 3: 7, 4: 2, 5: 7]
        #expect(config.committedIndex { acknowledged[$0] ?? 0 } == 7)
        #expect(config.committedIndex { _ in 0 } == 0)
        // Nodes outside the configuration do not count, and missing voters count as 0.
        #expect(MajorityConfig([1, 2, 3]).committedIndex { [1: 5, 9: 5][$0] ?? 0 } == 0)
        #expect(MajorityConfig([1, 2, 3]).committedIndex { [1: 5, 2: 3][$0] ?? 0 } == 3)
        #expect(MajorityConfig([1]).committedIndex { _ in 12 } == 12)
    }

    /// The committed index equals a brute-force answer: the largest value at least a quorum
    /// of voters reaches.
    @Test func theCommittedIndexMatchesBruteForce() {
        var random = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let count = 1 + Int(random.next() % 9)
            let voters = (1...UInt64(count)).map { $0 }
            let values = voters.map { _ in random.next() % 8 }
            let config = MajorityConfig(voters)
            let expected = (0...7).filter { index in values.filter { $0 >= index }.count >= config.quorum }.max()!
            #expect(config.committedIndex { values[Int($0 - 1)] } == UInt64(expected))
        }
    }

    @Test func votesAreWonLostOrPending() {
        let config = MajorityConfig([1, 2, 3])
        #expect(config.voteResult { [1: true][$0] } == .pending)
        #expect(config.voteResult { [1: true, 2: true][$0] } == .won)
        #expect(config.voteResult { [1: true, 2: false][$0] } == .pending)
        #expect(config.voteResult { [1: true, 2: false, 3: false][$0] } == .lost)
        #expect(config.voteResult { [2: false, 3: false][$0] } == .lost)
        // Votes from non-voters are ignored.
        #expect(config.voteResult { [1: true, 7: true, 8: true][$0] } == .pending)
        let even = MajorityConfig([1, 2, 3, 4])
        #expect(even.voteResult { [1: true, 2: true, 3: false][$0] } == .pending)
        #expect(even.voteResult { [1: true, 2: false, 3: false][$0] } == .lost)
        #expect(MajorityConfig([5]).voteResult { $0 == 5 ? true : nil } == .won)
    }

    /// An empty configuration commits everything and wins every vote, so a joint configuration
    /// (two of these) reduces to the non-empty half (etcd's convention).
    @Test func anEmptyConfigurationIsNeutralForJointConsensus() {
        let empty = MajorityConfig([NodeID]())
        #expect(empty.isEmpty)
        #expect(empty.committedIndex { _ in 3 } == .max)
        #expect(empty.voteResult { _ in false } == .won)
    }

    @Test func aLeaderCountsItsOwnVoteAndItsOwnCopy() {
        // One voter: the leader alone is a quorum (election and commit).
        let single = MajorityConfig([1])
        #expect(single.voteResult { $0 == 1 ? true : nil } == .won)
        #expect(single.committedIndex { $0 == 1 ? 6 : 0 } == 6)
        // Two voters: both are needed.
        let pair = MajorityConfig([1, 2])
        #expect(pair.voteResult { $0 == 1 ? true : nil } == .pending)
        #expect(pair.committedIndex { $0 == 1 ? 6 : 4 } == 4)
    }
}
