import ClusterTestSupport
import Foundation
import Raft
import SandboxCluster
import Testing

/// Entries are applied on a thread of their own: a slow state machine delays answers, not
/// replication (with apply on the loop thread, a stuck apply stopped the node's Raft too).
@Suite struct ApplyThreadTests {
    @Test func aStuckStateMachineDoesNotStopReplicationAndAnswersOnceItMovesOn() async throws {
        let cluster = try TestCluster()
        let leader = try await cluster.leader()
        _ = try await cluster.driver(leader).propose(Array("warm".utf8))
        let release = DispatchSemaphore(value: 0)
        cluster.machine(leader).beforeApply = { release.wait() }
        let driver = cluster.driver(leader)
        let before = driver.status.appliedIndex
        let answers = Task { await ClusterProbe.proposeAll((0..<20).map { "held-\($0)" }, on: [driver]) }
        // The leader's apply thread is stuck, yet its loop commits the entries and replicates
        // them: the followers apply them.
        let committed = try await cluster.eventually(.seconds(20), "the held entries committed") {
            driver.status.commitIndex >= before + 20 ? driver.status.commitIndex : nil
        }
        let follower = cluster.ids.first { $0 != leader }!
        _ = try await cluster.eventually(.seconds(20), "a follower applied them") {
            cluster.driver(follower).status.appliedIndex >= committed ? true : nil
        }
        #expect(driver.status.appliedIndex <= before + 1)  // at most the batch in hand started
        #expect(driver.status.role == .leader)
        cluster.machine(leader).beforeApply = nil
        for _ in 0..<64 { release.signal() }
        let acknowledged = await answers.value
        #expect(acknowledged.count == 20)
        _ = try await cluster.eventually(.seconds(20), "the leader applied them") {
            driver.status.appliedIndex >= committed ? true : nil
        }
    }
}
