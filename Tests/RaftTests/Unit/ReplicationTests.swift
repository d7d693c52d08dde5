import Raft
import RaftSimulation
import Testing

/// Raft paper §5.3 (log replication), with etcd-style flow control and batching.
@Suite struct ReplicationTests {
    @Test func proposalsAreReplicatedCommittedAndAppliedEverywhereInOrder() throws {
        let cluster = electedCluster(3)
        for number in 1...5 { try cluster.node(1).propose(bytes("cmd\(number)")) }
        cluster.stabilize()
        let expected = (1...5).map { bytes("cmd\($0)") }
        for id: NodeID in 1...3 {
            let applied = cluster.members[id]!.applied.filter { !$0.data.isEmpty }.map(\.data)
            #expect(applied == expected)
            #expect(cluster.node(id).commitIndex == 7)
        }
    }

    @Test func proposalsMadeTogetherTravelInOneAppend() throws {
        let cluster = electedCluster(3)
        cluster.recordsTranscript = true
        for number in 1...64 { try cluster.node(1).propose(bytes("b\(number)")) }
        cluster.processReady(1)
        let appends = cluster.transcript.filter { $0.contains("Send 1->") && $0.contains("append") }
        #expect(appends.count == 2)  // one per follower, carrying all 64 entries
        #expect(appends.allSatisfy { $0.contains("2/66:b64") })
    }

    @Test func theLeaderCountsItselfOnlyOnceItsEntriesAreDurable() throws {
        let cluster = electedCluster(3)
        let leader = cluster.node(1)
        let index = try leader.propose(bytes("x"))
        let ready = leader.ready()
        #expect(ready.entries.map(\.index) == [index])
        // One follower acknowledges before the leader persisted: not a quorum of durable copies.
        leader.step(Message(kind: .appendResponse, from: 2, to: 1, term: 2, index: index))
        #expect(leader.commitIndex == index - 1)
        // The second follower makes two durable copies out of three.
        leader.step(Message(kind: .appendResponse, from: 3, to: 1, term: 2, index: index))
        #expect(leader.commitIndex == index)
        let single = ManualCluster(voters: [1])
        single.node(1).campaign()
        single.stabilize()
        let soloIndex = try single.node(1).propose(bytes("y"))
        let soloReady = single.node(1).ready()
        #expect(single.node(1).commitIndex < soloIndex)  // not durable yet: not committed
        try single.members[1]!.storage.append(soloReady.entries)
        single.node(1).advance(soloReady)
        #expect(single.node(1).commitIndex == soloIndex)
    }

    @Test func aFollowerTruncatesAConflictingSuffix() throws {
        let cluster = electedCluster(3)
        // Node 1 appends entries nobody else gets, then loses leadership.
        cluster.isolate(1)
        try cluster.node(1).propose(bytes("lost1"))
        try cluster.node(1).propose(bytes("lost2"))
        cluster.stabilize()
        leaseExpires(cluster, [2, 3])
        cluster.node(2).campaign()
        cluster.stabilize()
        #expect(cluster.node(2).role == .leader)
        try cluster.node(2).propose(bytes("kept"))
        cluster.stabilize()
        cluster.heal()
        cluster.tick(2)
        cluster.stabilize()
        let logs = (1...3).map { id in
            let node = cluster.node(NodeID(id))
            return node.entries(from: 2, to: node.lastIndex + 1) ?? []
        }
        #expect(!logs[0].isEmpty)
        #expect(logs[0] == logs[1] && logs[1] == logs[2])
        #expect(!logs[0].contains { $0.data == bytes("lost1") })
        #expect(cluster.members[1]!.applied.contains { $0.data == bytes("kept") })
    }

    @Test func conflictHintsSkipAWholeTermPerRoundTrip() throws {
        let cluster = electedCluster(3)
        cluster.isolate(1)
        for number in 1...30 { try cluster.node(1).propose(bytes("stale\(number)")) }
        cluster.stabilize()
        leaseExpires(cluster, [2, 3])
        cluster.node(2).campaign()
        cluster.stabilize()
        for number in 1...3 { try cluster.node(2).propose(bytes("new\(number)")) }
        cluster.stabilize()
        cluster.heal()
        cluster.recordsTranscript = true
        cluster.tick(2)
        cluster.stabilize()
        let rejections = cluster.transcript.filter {
            $0.contains("2->") == false && $0.contains("1->2 appendResponse") && $0.contains("rejected")
        }
        #expect(rejections.count <= 2)
        #expect(cluster.node(1).lastIndex == cluster.node(2).lastIndex)
    }

    @Test func appendsInFlightAreBoundedPerFollower() throws {
        let cluster = electedCluster(3) { config in
            config.limits.maxInflightMessages = 3
            config.limits.maxMessageBytes = 1
        }
        cluster.partition([1], [2])  // node 2 stops answering
        for number in 1...20 {
            try cluster.node(1).propose(bytes("\(number % 10)"))
            cluster.processReady(1)
        }
        let state = cluster.node(1).replicationState(of: 2)!
        #expect(state.state == .replicate)
        // Three messages in flight, one entry each: next is three past the match.
        #expect(state.next - state.match - 1 == 3)
    }

    @Test func aLaggingFollowerIsProbedThenStreamedTo() throws {
        let cluster = electedCluster(3)
        cluster.crash(3)
        for number in 1...10 { try cluster.node(1).propose(bytes("p\(number)")) }
        cluster.stabilize()
        cluster.restart(3)
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(3).commitIndex == cluster.node(1).commitIndex)
        #expect(cluster.node(1).replicationState(of: 3)?.state == .replicate)
    }

    @Test func anUnreachableFollowerIsProbedAgain() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes("p"))
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 2)?.state == .replicate)
        cluster.node(1).reportUnreachable(2)
        #expect(cluster.node(1).replicationState(of: 2)?.state == .probe)
        try cluster.node(1).propose(bytes("q"))
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 2)?.state == .replicate)
        #expect(cluster.node(2).commitIndex == cluster.node(1).commitIndex)
    }

    @Test func aCrashedFollowerKeepsOnlyWhatItPersisted() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes("a"))
        cluster.processReady(1)
        cluster.deliverMessages(to: 2)
        // Node 2 accepted the entry but crashes before persisting it.
        cluster.crash(2)
        cluster.restart(2)
        #expect(cluster.node(2).lastIndex == 2)
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(2).lastIndex == 3)
    }
}
