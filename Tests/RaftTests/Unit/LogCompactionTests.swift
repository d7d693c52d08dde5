import Raft
import RaftSimulation
import Testing

/// Raft paper §7 / thesis chapter 5: log compaction and snapshots sent to lagging followers.
@Suite struct LogCompactionTests {
    func compact(_ cluster: ManualCluster, _ id: NodeID) throws {
        let member = cluster.members[id]!
        let index = member.appliedIndex
        try member.storage.createSnapshot(at: index, conf: cluster.node(id).confState, data: bytes("state@\(index)"))
        try member.storage.compact(upTo: index)
    }

    /// Node 3 is down while node 1 commits `proposals` entries and compacts its log; then
    /// node 3 restarts, behind the compaction point.
    func clusterWithALaggingFollower(
        proposals: Int, configure: @escaping @Sendable (inout RaftConfig) -> Void = { _ in }
    ) throws -> ManualCluster {
        let cluster = electedCluster(3, configure: configure)
        cluster.crash(3)
        for number in 1...proposals { try cluster.node(1).propose(bytes("s\(number)")) }
        cluster.stabilize()
        try compact(cluster, 1)
        cluster.restart(3)
        return cluster
    }

    @Test func aFollowerBehindTheCompactedLogReceivesASnapshot() throws {
        let cluster = try clusterWithALaggingFollower(proposals: 10)
        #expect(cluster.node(1).firstIndex == 13)
        cluster.recordsTranscript = true
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.transcript.contains { $0.contains("snapshot term=2") && $0.contains("snapshot=2/12") })
        #expect(cluster.members[3]!.appliedIndex == 12)
        #expect(cluster.node(3).commitIndex == 12)
        #expect(try cluster.members[3]!.storage.snapshot().data == bytes("state@12"))
        try cluster.node(1).propose(bytes("after"))
        cluster.stabilize()
        #expect(cluster.members[3]!.applied.last?.data == bytes("after"))
    }

    @Test func aLostSnapshotIsSentAgainAfterATimeout() throws {
        let cluster = try clusterWithALaggingFollower(proposals: 4)
        cluster.dropFilter = { $0.kind == .snapshot }
        cluster.tick(1)
        cluster.stabilize()  // the snapshot is lost on the way
        #expect(cluster.node(1).replicationState(of: 3)?.state == .snapshot)
        #expect(cluster.node(3).commitIndex < cluster.node(1).commitIndex)
        cluster.dropFilter = nil
        for _ in 0..<12 {
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster.node(3).commitIndex == cluster.node(1).commitIndex)
    }

    /// A runtime that streams a snapshot for seconds sets a longer snapshot timeout: until it
    /// passes, the leader sends the follower nothing on its heartbeat answers (it has no use for
    /// entries before its install), then it takes the snapshot as lost and probes again.
    @Test func aSnapshotIsTakenAsLostOnlyAfterTheSnapshotTimeout() throws {
        let cluster = try clusterWithALaggingFollower(proposals: 4) { $0.snapshotTimeoutTicks = 40 }
        cluster.dropFilter = { $0.kind == .snapshot }  // still streaming, as far as the leader knows
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 3)?.state == .snapshot)
        cluster.recordsTranscript = true
        for round in 0..<35 {
            try cluster.node(1).propose(bytes("during-\(round)"))
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster.node(1).replicationState(of: 3)?.state == .snapshot)
        #expect(!cluster.transcript.contains { $0.contains("1->3 append") && $0.contains("entries=") })
        #expect(cluster.transcript.contains { $0.contains("1->3 heartbeat") })  // it was answering
        cluster.dropFilter = nil
        for _ in 0..<10 {
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster.node(3).commitIndex == cluster.node(1).commitIndex)
    }

    @Test func aSnapshotTimeoutMustBePositive() {
        var config = RaftConfig(id: 1)
        config.snapshotTimeoutTicks = 0
        #expect(throws: RaftConfigError.self) { try config.validate() }
    }

    @Test func aReportedSnapshotFailureIsRetriedAtOnce() throws {
        let cluster = try clusterWithALaggingFollower(proposals: 4)
        cluster.dropFilter = { $0.kind == .snapshot }
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 3)?.state == .snapshot)
        cluster.dropFilter = nil
        cluster.node(1).reportSnapshot(to: 3, failed: true)
        #expect(cluster.node(1).replicationState(of: 3)?.state == .probe)
        cluster.tick(1)  // one heartbeat, well within the retry timeout
        cluster.stabilize()
        #expect(cluster.node(3).commitIndex == cluster.node(1).commitIndex)
    }

    @Test func aSnapshotCarriesTheMembership() throws {
        let cluster = electedCluster(3)
        cluster.addNode(4)
        try cluster.node(1).proposeConfChange(ConfChange(.addLearner, node: 4))
        cluster.isolate(4)
        cluster.stabilize()
        try compact(cluster, 1)
        cluster.heal()
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(4).confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(cluster.members[4]!.storage.confState == ConfState(voters: [1, 2, 3], learners: [4]))
    }
}
