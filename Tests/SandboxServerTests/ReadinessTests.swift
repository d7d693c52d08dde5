import SandboxCluster
import Testing

@testable import SandboxServer

/// `/readyz`'s catch-up rule: a leader known, nothing stopped, no snapshot awaited, the applied
/// index within `ClusterRoutes.readyLag` entries of the commit index the node knows (its own or
/// the leader's).
@Suite struct ReadinessTests {
    func status(leader: UInt64 = 2, commit: UInt64, applied: UInt64, stopped: String? = nil) -> ClusterStatus {
        var status = ClusterStatus(node: 1)
        status.leader = leader
        status.commitIndex = commit
        status.appliedIndex = applied
        status.stopped = stopped
        return status
    }

    @Test func aFollowerTrailingByTheBatchesInFlightIsReady() {
        #expect(ClusterRoutes.caughtUp(status(commit: 5_000, applied: 5_000)))
        #expect(ClusterRoutes.caughtUp(status(commit: 5_000, applied: 4_936)), "one batch behind under load")
        #expect(ClusterRoutes.caughtUp(status(commit: 5_000, applied: 5_000 - ClusterRoutes.readyLag)))
        #expect(ClusterRoutes.caughtUp(status(commit: 10, applied: 12)), "applied may be published before commit")
    }

    @Test func aNodeFarBehindWithoutALeaderOrStoppedIsNotReady() {
        #expect(!ClusterRoutes.caughtUp(status(commit: 5_000, applied: 5_000 - ClusterRoutes.readyLag - 1)))
        #expect(!ClusterRoutes.caughtUp(status(commit: 90_000, applied: 0)), "restarted far behind")
        #expect(!ClusterRoutes.caughtUp(status(leader: 0, commit: 5, applied: 5)))
        #expect(!ClusterRoutes.caughtUp(status(commit: 5, applied: 5, stopped: "storage write failed")))
    }

    /// A follower waiting for a snapshot has its own (stale) commit index applied; one receiving
    /// a backlog of entries commits only what it holds: the leader's word decides (issue 11).
    @Test func aFollowerAwaitingASnapshotOrFarBehindTheLeadersCommitIsNotReady() {
        var awaiting = status(commit: 5_000, applied: 5_000)
        awaiting.awaitsSnapshot = true
        #expect(!ClusterRoutes.caughtUp(awaiting))
        var behind = status(commit: 5_000, applied: 5_000)
        behind.leaderCommitIndex = 5_000 + ClusterRoutes.readyLag + 1
        #expect(!ClusterRoutes.caughtUp(behind))
        behind.leaderCommitIndex = 5_000 + ClusterRoutes.readyLag
        #expect(ClusterRoutes.caughtUp(behind))
    }
}
