import ClusterTestSupport
import Foundation
import Raft
@_spi(Testing) import SandboxCluster
import Testing

/// A follower stores an incoming snapshot off its loop thread (`SnapshotReceiver`): the loop,
/// which on a `LoopHost` also serves the peers' sockets, keeps answering its leader meanwhile.
@Suite struct SnapshotReceiveTests {
    /// Held where the state's flush begins (seconds for a large state) for 1.5 s, five election
    /// timeouts of this cluster: the follower answers its leader's heartbeats (one a 10 ms tick)
    /// all along, then installs the snapshot and catches up. Before, the loop stored and flushed
    /// the state itself and answered nothing until the install was over.
    @Test func aFollowerKeepsAnsweringItsLeaderWhileItsSnapshotIsStored() async throws {
        let hold = Hold()
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.seam.beforeSnapshotPrepare = { hold.enterAndWait(atMost: .seconds(20)) }
        }
        defer { hold.release() }
        try cluster.start(follower)
        _ = try await cluster.eventually(.seconds(20), "the follower stores its snapshot") { hold.entered ? true : nil }
        #expect(cluster.driver(follower).status.awaitsSnapshot)
        let before = cluster.network.messagesSent(from: follower, to: leader)
        try await Task.sleep(for: .milliseconds(1500))
        let answered = cluster.network.messagesSent(from: follower, to: leader) - before
        #expect(cluster.driver(follower).status.counters.snapshotsInstalled == 0)  // still held
        hold.release()
        #expect(answered >= 20, "the follower sent its leader \(answered) messages in 1.5 s while it stored a snapshot")
        _ = try await cluster.eventually(.seconds(20), "the follower installs the snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        _ = try await cluster.converged()
        #expect(!cluster.driver(follower).status.awaitsSnapshot)
    }

    /// A stream still being flushed when a newer one from the same leader begins (the leader
    /// gave up waiting for the first: a 1 s install timeout here) is dropped, and the newer one
    /// installed, with no stream refused: the store holds one installation at a time, and the
    /// older one is dropped (by the loop's abandon, or by the newer stream's begin when it comes
    /// first) instead of the newer one failing on a store still busy with it.
    @Test func aStreamSupersededWhileItIsFlushedIsDroppedForTheNewerOne() async throws {
        let hold = Hold()
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.seam.beforeSnapshotPrepare = { hold.enterAndWait(atMost: .seconds(20)) }
            $0.snapshotInstallTimeout = .seconds(1)  // the leader streams again after 1 s
        }
        defer { hold.release() }
        let termBefore = cluster.driver(leader).status.term
        try cluster.start(follower)
        _ = try await cluster.eventually(.seconds(20), "the follower stores its snapshot") { hold.entered ? true : nil }
        _ = try await cluster.eventually(.seconds(20), "the leader streams the snapshot again") {
            cluster.network.snapshotStreamsStarted(to: follower) >= 2 ? true : nil
        }
        try await Task.sleep(for: .milliseconds(200))  // its chunk reaches the follower's loop
        hold.release()
        _ = try await cluster.eventually(.seconds(20), "the follower installs a snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        _ = try await cluster.converged()
        let counters = cluster.driver(follower).status.counters
        let terms = cluster.driver(leader).status.term - termBefore + 1
        #expect(counters.snapshotsInstalled >= 1 && counters.snapshotsInstalled <= terms)
        // No stream was refused: one failed on a busy store would have been told to the leader.
        #expect(counters.snapshotStreamsRefused == 0, "\(counters.snapshotStreamsRefused) streams refused")
    }
}

/// Holds the thread that enters it until released (or `atMost` passes); records that one did.
///
/// `@unchecked Sendable`: `isEntered` and `isReleased` are guarded by `condition`.
private final class Hold: @unchecked Sendable {
    private let condition = NSCondition()
    private var isEntered = false
    private var isReleased = false

    var entered: Bool { condition.withLock { isEntered } }

    func enterAndWait(atMost limit: Duration) {
        condition.lock()
        defer { condition.unlock() }
        isEntered = true
        let deadline = Date(timeIntervalSinceNow: limit / .seconds(1))
        while !isReleased, condition.wait(until: deadline) {}
    }

    func release() {
        condition.withLock {
            isReleased = true
            condition.broadcast()
        }
    }
}
