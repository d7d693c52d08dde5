import Raft
import RaftSimulation
import Testing

/// Thesis §3.10 (leadership transfer) and §6.4 (ReadIndex).
@Suite struct TransferAndReadTests {
    @Test func leadershipMovesToTheTarget() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).transferLeadership(to: 3)
        cluster.stabilize()
        #expect(cluster.node(3).role == .leader)
        #expect(cluster.node(3).term == 3)
        #expect(cluster.node(1).role == .follower)
        #expect(cluster.node(1).leader == 3)
    }

    @Test func aLaggingTargetIsCaughtUpFirst() throws {
        let cluster = electedCluster(3)
        cluster.isolate(3)
        for number in 1...5 { try cluster.node(1).propose(bytes("t\(number)")) }
        cluster.stabilize()
        cluster.heal()
        try cluster.node(1).transferLeadership(to: 3)
        #expect(throws: RaftError.transferInProgress(target: 3)) { try cluster.node(1).propose(bytes("during")) }
        cluster.stabilize()
        #expect(cluster.node(3).role == .leader)
        #expect(cluster.node(3).commitIndex >= 7)
    }

    @Test func aTransferToAnUnreachableNodeIsAbandoned() throws {
        let cluster = electedCluster(3)
        cluster.isolate(3)
        try cluster.node(1).transferLeadership(to: 3)
        cluster.stabilize()
        for _ in 0..<10 {
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster.node(1).role == .leader)
        #expect(cluster.node(1).transferTarget == 0)
        try cluster.node(1).propose(bytes("again"))
    }

    @Test func transferTargetsMustBeVoters() throws {
        let cluster = electedCluster(3)
        #expect(throws: RaftError.notAVoter(7)) { try cluster.node(1).transferLeadership(to: 7) }
        #expect(throws: RaftError.notLeader(leader: 1)) { try cluster.node(2).transferLeadership(to: 3) }
    }

    @Test func theLeaderAnswersAReadAfterAQuorumConfirmsItsLeadership() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes("w"))
        cluster.stabilize()
        try cluster.node(1).readIndex(bytes("ctx1"))
        cluster.processReady(1)
        #expect(cluster.members[1]!.readStates.isEmpty)  // heartbeats are out, no answer yet
        cluster.stabilize()
        #expect(cluster.members[1]!.readStates == [ReadState(index: 3, context: bytes("ctx1"))])
    }

    @Test func anIsolatedLeaderAnswersNoRead() throws {
        let cluster = electedCluster(3)
        cluster.isolate(1)
        try cluster.node(1).readIndex(bytes("stale?"))
        cluster.stabilize()
        #expect(cluster.members[1]!.readStates.isEmpty)
    }

    @Test func aFollowerForwardsItsReadToTheLeader() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes("w"))
        cluster.stabilize()
        try cluster.node(2).readIndex(bytes("from2"))
        cluster.stabilize()
        #expect(cluster.members[2]!.readStates == [ReadState(index: 3, context: bytes("from2"))])
        #expect(cluster.members[1]!.readStates.isEmpty)
    }

    @Test func aReadWithoutAKnownLeaderIsRefused() throws {
        let cluster = ManualCluster(voters: [1, 2, 3])
        #expect(throws: RaftError.noLeader) { try cluster.node(2).readIndex(bytes("x")) }
    }

    @Test func readsWaitForTheLeadersFirstCommit() throws {
        let cluster = ManualCluster(voters: [1, 2, 3])
        cluster.node(1).campaign()
        var rounds = 0
        while cluster.node(1).role != .leader && rounds < 10 {
            for id: NodeID in 1...3 { cluster.processReady(id) }
            cluster.deliverMessages()
            rounds += 1
        }
        #expect(cluster.node(1).role == .leader)
        #expect(cluster.node(1).commitIndex == 1)  // its own entry (index 2) is not committed yet
        try cluster.node(1).readIndex(bytes("early"))
        cluster.stabilize()
        #expect(cluster.members[1]!.readStates == [ReadState(index: 2, context: bytes("early"))])
    }
}
