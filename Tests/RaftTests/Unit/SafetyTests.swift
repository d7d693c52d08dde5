import Raft
import RaftSimulation
import Testing

/// Raft paper §5.4 (safety): the election restriction and committing only current-term entries.
@Suite struct SafetyTests {
    @Test func aNodeWithAStaleLogCannotBeElected() throws {
        let cluster = electedCluster(3)
        cluster.isolate(3)
        try cluster.node(1).propose(bytes("newer"))
        cluster.stabilize()
        cluster.heal()
        cluster.crash(1)
        // Node 3 lacks the committed entry: node 2 refuses its (pre-)vote.
        tickElection(cluster, 3)
        cluster.stabilize()
        #expect(cluster.node(3).role != .leader)
        tickElection(cluster, 2)
        cluster.stabilize()
        #expect(cluster.node(2).role == .leader)
    }

    @Test func anEarlierTermsEntryIsCommittedOnlyThroughACurrentTermEntry() throws {
        let storage = MemoryLogStorage(bootstrap: ConfState(voters: [1, 2, 3]))
        // Term 1: node 1 wrote entry 2 alone. Term 2: it becomes leader.
        try storage.append([Entry(term: 1, index: 2, data: bytes("old"))])
        try storage.setHardState(HardState(term: 1, vote: 1, commit: 1))
        let restarted = try RaftNode(config: RaftConfig(id: 1), storage: storage, seed: 9)
        restarted.campaign()
        for voter: NodeID in [2, 3] {
            restarted.step(Message(kind: .preVoteResponse, from: voter, to: 1, term: 2))
        }
        for voter: NodeID in [2, 3] { restarted.step(Message(kind: .voteResponse, from: voter, to: 1, term: 2)) }
        #expect(restarted.role == .leader)
        #expect(restarted.term == 2)
        try persist(restarted, storage)  // the leader's own no-op at index 3 is durable
        // Follower 2 holds entry 2 (term 1): a quorum has it, but it is not of this term.
        restarted.step(Message(kind: .appendResponse, from: 2, to: 1, term: 2, index: 2))
        #expect(restarted.commitIndex == 1)
        // Once entry 3 of term 2 reaches the quorum, both commit.
        restarted.step(Message(kind: .appendResponse, from: 2, to: 1, term: 2, index: 3))
        #expect(restarted.commitIndex == 3)
    }

    @Test func aStaleLeaderLearnsTheNewTermAndStepsDown() throws {
        let cluster = electedCluster(3)
        cluster.isolate(1)
        leaseExpires(cluster, [2, 3])
        cluster.node(2).campaign()
        cluster.stabilize()
        #expect(cluster.node(2).term == 3)
        #expect(cluster.node(1).role == .leader)
        cluster.heal()
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).role == .follower)
        #expect(cluster.node(1).term == 3)
    }

    @Test func termsAndCommitIndicesSurviveARestart() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes("durable"))
        cluster.stabilize()
        let before = cluster.node(2).hardState
        cluster.crash(2)
        cluster.restart(2)
        #expect(cluster.node(2).hardState == before)
        #expect(cluster.members[2]!.appliedIndex == before.commit)
    }
}
