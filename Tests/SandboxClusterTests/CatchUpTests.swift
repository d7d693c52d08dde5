import ClusterTestSupport
import Foundation
import Raft
import SandboxWire
import Testing

@testable import SandboxCluster

/// "Caught up with the leader" (`ClusterStatus.isCaughtUp`, `/readyz`): a follower's own commit
/// index is capped at what its log holds, so it cannot tell alone that it is behind.
@Suite struct CatchUpTests {
    /// A follower restarted behind the compacted log while its snapshot is on its way (3 s
    /// here): its commit index, the stale match the leader's heartbeats confirm, is applied, so
    /// the old rule called it caught up (issue 11). The leader's marked heartbeats say it is
    /// not, until the snapshot is installed; then it is caught up within moments.
    @Test func aFollowerWaitingForItsSnapshotIsNotCaughtUpUntilItIsInstalled() async throws {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog()
        cluster.network.snapshotChunkDelay = .seconds(3)
        try cluster.start(follower)
        _ = try await cluster.eventually(.seconds(20), "the leader streams a snapshot to the follower") {
            cluster.network.snapshotStreamsStarted(to: follower) >= 1 ? true : nil
        }
        _ = try await cluster.eventually(.seconds(2), "the follower knows it awaits a snapshot") {
            cluster.driver(follower).status.awaitsSnapshot ? true : nil
        }
        // Sampled while the chunk is on its way (until it is installed, or for 1.5 s).
        var samples = 0
        let sampledUntil = ContinuousClock.now + .milliseconds(1_500)
        while ContinuousClock.now < sampledUntil {
            let status = cluster.driver(follower).status
            guard status.counters.snapshotsInstalled == 0 else { break }
            #expect(!status.isCaughtUp(within: 1_000), "caught up while waiting for a snapshot: \(status)")
            // What the old rule read: a leader known and the node's own commit index applied.
            #expect(status.leader != 0 && status.commitIndex &- min(status.commitIndex, status.appliedIndex) <= 1_000)
            samples += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(samples >= 5)
        _ = try await cluster.eventually(.seconds(20), "the follower installs its snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        let installed = ContinuousClock.now
        _ = try await cluster.eventually(.seconds(10), "the follower is caught up after the install") {
            cluster.driver(follower).status.isCaughtUp(within: 1_000) ? true : nil
        }
        let waited = ContinuousClock.now - installed
        #expect(waited < .seconds(3), "caught up \(waited) after the install")
        #expect(!cluster.driver(follower).status.awaitsSnapshot)
        _ = try await cluster.converged()
    }

    @Test func theRuleReadsTheLeadersCommitAndTheAwaitedSnapshot() {
        var status = ClusterStatus(node: 2)
        status.leader = 1
        status.commitIndex = 5_000
        status.appliedIndex = 5_000
        #expect(status.isCaughtUp(within: 1_000))
        status.leaderCommitIndex = 6_000
        #expect(status.isCaughtUp(within: 1_000))  // one lag's worth of entries on their way
        status.leaderCommitIndex = 6_001
        #expect(!status.isCaughtUp(within: 1_000), "the leader's commit is more than the lag ahead")
        status.leaderCommitIndex = 4_000  // an older append's: the node's own commit is ahead
        #expect(status.isCaughtUp(within: 1_000))
        status.awaitsSnapshot = true
        #expect(!status.isCaughtUp(within: 1_000), "waiting for a snapshot")
        status.awaitsSnapshot = false
        status.leader = 0
        #expect(!status.isCaughtUp(within: 1_000), "no leader known")
        status.leader = 1
        status.stopped = "storage write failed"
        #expect(!status.isCaughtUp(within: 1_000), "stopped")
    }

    @Test func appendsCarryTheLeadersCommitAndMarkedHeartbeatsTheAwaitedSnapshot() {
        var catchUp = CatchUp()
        func heartbeat(_ context: [UInt8]) -> Message {
            Message(kind: .heartbeat, from: 1, to: 2, term: 3, commit: 40, context: context)
        }
        let unmarked = catchUp.heard(heartbeat([]))
        #expect(!unmarked && catchUp.leaderCommit == 0)  // a heartbeat's commit is capped at this node's match
        _ = catchUp.heard(Message(kind: .append, from: 1, to: 2, term: 3, commit: 900))
        _ = catchUp.heard(Message(kind: .append, from: 1, to: 2, term: 3, commit: 800))  // reordered: kept
        #expect(catchUp.leaderCommit == 900)
        #expect(!catchUp.awaitsSnapshot(applied: 0))
        let mark = SnapshotNeededMark.context(index: 700)
        #expect(mark == [0x73, 0x01, 0, 0, 0, 0, 0, 0, 0x02, 0xBC])
        let news = catchUp.heard(heartbeat(mark))
        let earlier = catchUp.heard(heartbeat(SnapshotNeededMark.context(index: 650)))  // no news
        #expect(news && !earlier && catchUp.snapshotIndex == 700)
        // Not a mark: another prefix, another length, or on another kind of message.
        let others = [
            catchUp.heard(heartbeat([0x73, 0x02] + mark.dropFirst(2))),
            catchUp.heard(heartbeat(mark + [0])),
            catchUp.heard(
                Message(kind: .append, from: 1, to: 2, term: 3, context: SnapshotNeededMark.context(index: 9_000))),
        ]
        #expect(others == [false, false, false] && catchUp.snapshotIndex == 700)
        #expect(catchUp.awaitsSnapshot(applied: 699))
        #expect(!catchUp.awaitsSnapshot(applied: 700))  // installed (or caught up another way)
    }
}
