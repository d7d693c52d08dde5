import Raft
import RaftSimulation
import Testing

/// Thesis chapter 4: single-server membership changes, learners (§4.2.1), removing the leader.
@Suite struct MembershipTests {
    @Test func aLearnerCatchesUpWithoutVotingThenIsPromoted() throws {
        let cluster = electedCluster(3)
        for number in 1...5 { try cluster.node(1).propose(bytes("before\(number)")) }
        cluster.stabilize()
        cluster.addNode(4)
        try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 4))
        cluster.stabilize()
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).confState.learners == [4])
        #expect(cluster.node(4).commitIndex == cluster.node(1).commitIndex)
        #expect(cluster.node(4).confState == ConfState(voters: [1, 2, 3], learners: [4]))
        // A learner never campaigns.
        tickElection(cluster, 4)
        #expect(cluster.node(4).role == .follower)
        try cluster.node(1).proposeConfChange(ConfChange(.addVoter, node: 4))
        cluster.stabilize()
        #expect(cluster.node(1).confState.voters == [1, 2, 3, 4])
        #expect(cluster.node(4).confState.voters == [1, 2, 3, 4])
    }

    @Test func aLaggingLearnerIsNotPromoted() throws {
        let cluster = electedCluster(3) { config in config.limits.maxPromotionLag = 1 }
        cluster.addNode(4)
        try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 4))
        cluster.stabilize()
        cluster.isolate(4)
        for number in 1...3 { try cluster.node(1).propose(bytes("more\(number)")) }
        cluster.stabilize()
        #expect(throws: RaftError.self) { try cluster.node(1).proposeConfChange(ConfChange(.addVoter, node: 4)) }
        do {
            try cluster.node(1).proposeConfChange(ConfChange(.addVoter, node: 4))
        } catch {
            guard case .learnerNotCaughtUp(let node, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(node == 4)
        }
    }

    @Test func onlyOneMembershipChangeIsInFlight() throws {
        let cluster = electedCluster(3)
        cluster.addNode(4)
        cluster.addNode(5)
        let first = try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 4))
        #expect(throws: RaftError.configChangePending(index: first)) {
            try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 5))
        }
        cluster.stabilize()
        try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 5))
    }

    @Test func aNewLeaderWaitsForItsOwnEntryBeforeChangingMembership() throws {
        let cluster = ManualCluster(voters: [1, 2, 3])
        cluster.node(1).campaign()
        cluster.stabilize()
        // The leader has not applied its term's first entry until the Ready is handled.
        let (node, storage) = try standaloneNode(1, voters: [1])
        node.campaign()
        try persist(node, storage)  // it leads once its term and vote are durable
        #expect(node.role == .leader)
        #expect(throws: RaftError.self) { try node.proposeConfChange(ConfChange(.addLearner, node: 2)) }
    }

    @Test func invalidChangesAreRefusedWithAReason() throws {
        let cluster = electedCluster(3)
        #expect(throws: RaftError.invalidConfChange("node 2 is already a voter")) {
            try cluster.node(1).proposeConfChange(ConfChange(.addVoter, node: 2))
        }
        #expect(throws: RaftError.invalidConfChange("node 9 is not a member")) {
            try cluster.node(1).proposeConfChange(ConfChange(.removeNode, node: 9))
        }
        #expect(throws: RaftError.invalidConfChange("node id 0 is reserved")) {
            try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 0))
        }
    }

    @Test func aRemovedLeaderHandsOverAndStepsDown() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).proposeConfChange(ConfChange(.removeNode, node: 1))
        cluster.recordsTranscript = true
        cluster.stabilize()
        #expect(cluster.transcript.contains { $0.contains("timeoutNow") })
        #expect(cluster.node(1).role == .follower)
        let newLeader = [NodeID(2), 3].first { cluster.node($0).role == .leader }
        #expect(newLeader != nil)
        #expect(cluster.node(newLeader ?? 2).confState.voters == [2, 3])
        // The removed node never campaigns again.
        tickElection(cluster, 1)
        #expect(cluster.node(1).role == .follower)
    }

    @Test func removingAVoterShrinksTheQuorum() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).proposeConfChange(ConfChange(.removeNode, node: 3))
        cluster.stabilize()
        cluster.crash(3)
        cluster.crash(2)
        // Leader 1 with voters [1, 2]: quorum 2, so nothing commits with 2 down.
        let index = try cluster.node(1).propose(bytes("x"))
        cluster.stabilize()
        #expect(cluster.node(1).commitIndex < index)
        cluster.restart(2)
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).commitIndex >= index)
    }
}
