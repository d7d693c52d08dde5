import Raft
import RaftSimulation
import Testing

/// Thesis §6.4: a leader answers a ReadIndex only once it has committed an entry of its own
/// term — also when it is the only voter (issue 9: the single-voter shortcut came first).
@Suite struct SingleVoterReadTests {
    /// Voters {1, 2}, leader 2. Node 2 removes itself at index 3 and commits a write `w` at
    /// index 4; node 1 learns commit 3 from a heartbeat but loses the append carrying commit 4.
    /// Node 1 becomes the only voter, leads term 3, and must not answer a read below index 4.
    @Test func aNewSingleVoterLeaderWaitsForItsOwnTermBeforeAnsweringReads() throws {
        let cluster = ManualCluster(voters: [1, 2])
        cluster.node(2).campaign()
        cluster.stabilize()
        #expect(cluster.node(2).role == .leader)

        try cluster.node(2).proposeConfChange(ConfChange(.removeNode, node: 2))  // index 3
        cluster.processReady(2)  // append [3] to node 1
        cluster.deliverMessages(to: 1)
        cluster.processReady(1)  // node 1 acknowledges 3
        let write = try cluster.node(2).propose(bytes("w"))
        #expect(write == 4)
        cluster.processReady(2)  // append [4] to node 1, still with commit 2
        cluster.deliverMessages(to: 2)  // the acknowledgement of 3: node 2 commits 3
        cluster.tick(2)  // a heartbeat carrying commit 3
        cluster.deliverMessages(to: 1)
        cluster.processReady(1)  // node 1 acknowledges 4
        cluster.deliverMessages(to: 2)  // node 2 commits 4
        #expect(cluster.node(2).commitIndex == 4)
        // The append carrying commit 4 is lost; the heartbeat carrying commit 3 arrives.
        cluster.dropFilter = { $0.kind == .append && $0.to == 1 && $0.commit == 4 }
        cluster.processReady(2)  // applies 3 (node 2 leaves) and acknowledges w at 4
        #expect(cluster.members[2]!.appliedIndex == 4)
        cluster.dropFilter = { $0.kind == .timeoutNow }  // node 1 campaigns on its own below
        cluster.processReady(2)
        cluster.dropFilter = nil
        cluster.deliverMessages(to: 1)
        cluster.processReady(1)
        #expect(cluster.node(1).commitIndex == 3)
        #expect(cluster.node(1).confState.voters == [1])

        cluster.node(1).campaign()
        cluster.processReady(1)  // it leads once its term and vote are durable
        #expect(cluster.node(1).role == .leader)
        #expect(cluster.node(1).term == 3)
        try cluster.node(1).readIndex(bytes("after-w"))
        cluster.processReady(1)
        cluster.processReady(1)
        let states = cluster.members[1]!.readStates
        #expect(states.count == 1)
        // Every index at or above 4 covers w; the term-3 no-op at 5 is what the leader commits.
        #expect(states.first.map { $0.index >= write } == true, "read answered at \(states), w was at \(write)")
    }

    /// A single voter that has committed an entry of its term answers at once (no peers to ask).
    @Test func anEstablishedSingleVoterAnswersAtOnce() throws {
        let cluster = ManualCluster(voters: [1])
        cluster.node(1).campaign()
        cluster.stabilize()
        try cluster.node(1).propose(bytes("x"))
        cluster.stabilize()
        try cluster.node(1).readIndex(bytes("r"))
        cluster.processReady(1)
        #expect(cluster.members[1]!.readStates == [ReadState(index: 3, context: bytes("r"))])
    }
}
