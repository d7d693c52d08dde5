import ClusterTestSupport
import Foundation
import Raft
@_spi(Testing) import SandboxCluster
import SandboxWire
import Testing

/// A follower stores an incoming snapshot off its loop thread (`SnapshotReceiver`): the loop,
/// which on a `LoopHost` also serves the peers' sockets, keeps answering its leader meanwhile.
@Suite struct SnapshotReceiveTests {
    /// Held where the state's flush begins (seconds for a large state) for 1.5 s, five election
    /// timeouts of this cluster: the follower answers its leader's heartbeats (one a 10 ms tick)
    /// all along, then installs the snapshot and catches up. Before, the loop stored and flushed
    /// the state itself and answered nothing until the install was over.
    @Test func aFollowerKeepsAnsweringItsLeaderWhileItsSnapshotIsStored() async throws {
        let (cluster, leader, follower, hold, _) = try await Self.followerHeldAtItsFlush()
        defer { hold.release() }
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

    /// The leader sends the same snapshot again while the follower still flushes the first
    /// stream (the leader's install timeout, 1 s here, passed meanwhile): the complete stream is
    /// kept and installed, the copy refused (told to the leader). Dropping the complete one for
    /// the copy could repeat for as long as a flush outlasts the leader's install timeout.
    @Test func theSameSnapshotSentAgainWhileOneIsFlushedIsRefused() async throws {
        // The leader streams again 1 s after the first stream's last chunk.
        let (cluster, leader, follower, hold, termBefore) = try await Self.followerHeldAtItsFlush(
            installTimeout: .seconds(1))
        defer { hold.release() }
        _ = try await cluster.eventually(.seconds(20), "the follower refuses the same snapshot sent again") {
            cluster.driver(follower).status.counters.snapshotStreamsRefused >= 1 ? true : nil
        }
        #expect(cluster.network.snapshotStreamsStarted(to: follower) >= 2)
        #expect(cluster.driver(follower).status.counters.snapshotsInstalled == 0)
        hold.release()
        _ = try await cluster.eventually(.seconds(20), "the follower installs the snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        _ = try await cluster.converged()
        let terms = cluster.driver(leader).status.term - termBefore + 1
        let installed = cluster.driver(follower).status.counters.snapshotsInstalled
        #expect(installed >= 1 && installed <= terms, "\(installed) installed in \(terms) terms")
    }

    /// A newer snapshot (the leader committed more meanwhile) arriving while the follower flushes
    /// the first stream replaces it: the first is abandoned, and not flushed once the flush's
    /// hold ends; the newer one is installed, with no stream refused. The store holds one
    /// installation at a time: the first is dropped before the newer one begins.
    @Test func aNewerSnapshotArrivingWhileOneIsFlushedReplacesIt() async throws {
        // The leader streams again 1 s after the first stream's last chunk.
        let (cluster, leader, follower, hold, termBefore) = try await Self.followerHeldAtItsFlush(
            installTimeout: .seconds(1))
        defer { hold.release() }
        let first = try #require(cluster.network.latestSnapshotStream(to: follower))
        let acknowledged = await ClusterProbe.proposeAll((0..<20).map { "c-\($0)" }, on: [cluster.driver(leader)])
        #expect(acknowledged.count == 20)
        _ = try await cluster.eventually(.seconds(20), "the leader streams a newer snapshot") {
            (cluster.network.latestSnapshotStream(to: follower)?.index ?? 0) > first.index ? true : nil
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
        #expect(counters.snapshotStreamsRefused == 0, "\(counters.snapshotStreamsRefused) streams refused")
    }

    /// A cluster whose follower, behind the compacted log, is started and held where the flush
    /// of its snapshot begins (until `hold` is released); the leader's term before the start.
    private static func followerHeldAtItsFlush(installTimeout: Duration? = nil) async throws -> (
        TestCluster, leader: NodeID, follower: NodeID, hold: Hold, termBefore: UInt64
    ) {
        let hold = Hold()
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.seam.beforeSnapshotPrepare = { hold.enterAndWait(atMost: .seconds(20)) }
            if let installTimeout { $0.snapshotInstallTimeout = installTimeout }
        }
        let termBefore = cluster.driver(leader).status.term
        do {
            try cluster.start(follower)
            _ = try await cluster.eventually(.seconds(20), "the follower stores its snapshot") {
                hold.entered ? true : nil
            }
        } catch {
            hold.release()
            throw error
        }
        return (cluster, leader, follower, hold, termBefore)
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
