import ClusterTestSupport
import Foundation
import Raft
import Testing

@testable import SandboxCluster

/// A follower catching up by snapshot while the leader keeps committing gets one snapshot, then
/// the entries after it: the leader keeps them until the follower has installed it.
@Suite struct SnapshotTransferTests {
    @Test func aSlowSnapshotUnderLoadIsSentOnceThenTheLogFollows() async throws {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog()
        // The follower comes back behind the compacted log; its snapshot takes 600 ms to send,
        // while the leader commits far more than the log keeps (40 entries).
        cluster.network.snapshotChunkDelay = .milliseconds(600)
        let termBefore = cluster.driver(leader).status.term
        try cluster.start(follower)
        let load = Task {
            var acknowledged: [String: UInt64] = [:]
            for round in 0..<30 {
                let batch = (0..<10).map { "b-\(round)-\($0)" }
                acknowledged.merge(await ClusterProbe.proposeAll(batch, on: [cluster.driver(leader)])) { $1 }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return acknowledged
        }
        let during = await load.value
        #expect(during.count == 300)
        _ = try await cluster.converged()
        let sent = cluster.driver(leader).status.counters.snapshotsSent
        // Without the hold, each install ended behind the compacted log and took another full
        // snapshot, for as long as the load went on.
        // A transfer belongs to its term (a20f228): an election under a loaded machine (ci21)
        // starts one more. One snapshot per term at most.
        let terms = cluster.driver(leader).status.term - termBefore + 1
        #expect(sent >= 1 && sent <= terms, "\(sent) snapshots sent to one restarted follower in \(terms) terms")
        let installed = cluster.driver(follower).status.counters.snapshotsInstalled
        #expect(installed >= 1 && installed <= terms, "\(installed) installed in \(terms) terms")
    }

    /// While a follower receives and installs a snapshot, the leader sends it no entries: it
    /// cannot use them before the install. Before, Raft took the snapshot as lost after one
    /// election timeout (500 ms) and probed the follower on each of its heartbeat answers,
    /// reading a message of entries on the leader's loop every time (256 KiB with sandboxd's
    /// limits): leaders streaming a large snapshot to a new member stalled and were deposed.
    @Test func aFollowerGetsNoEntriesWhileItsSnapshotIsUnderWay() async throws {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog()
        // The snapshot's only chunk takes 3 s to arrive (ten election timeouts: 300 ms here),
        // while the leader commits more: entries the follower could be sent.
        cluster.network.snapshotChunkDelay = .seconds(3)
        let termBefore = cluster.driver(leader).status.term
        try cluster.start(follower)
        let load = Task {
            for round in 0..<25 {
                _ = await ClusterProbe.proposeAll((0..<5).map { "b-\(round)-\($0)" }, on: [cluster.driver(leader)])
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        await load.value
        // Then it installs the snapshot, answers, and catches up by appends.
        _ = try await cluster.converged()
        let duringStream = try #require(cluster.network.entriesSentDuringSnapshot(to: follower))
        #expect(duringStream == 0, "\(duringStream) entries sent to a follower while its snapshot was on its way")
        #expect(cluster.network.entriesSent(to: follower) > 0)  // after the install, by appends
        let terms = cluster.driver(leader).status.term - termBefore + 1
        let installed = cluster.driver(follower).status.counters.snapshotsInstalled
        #expect(installed >= 1 && installed <= terms, "\(installed) snapshots installed in \(terms) terms")
    }

    /// A stream that ended well but never reached the follower (its chunk lost on the way, as a
    /// reconnect drops a queue; or the follower restarted before installing): the leader streams
    /// again once the install timeout after the last chunk passes. Before, Raft's own snapshot
    /// timer (counted from the stream's start) asked again first, that request was ignored while
    /// the transfer was held, and the follower waited about twice the timeout.
    @Test func aStreamLostAfterSendingIsStreamedAgainAfterTheInstallTimeout() async throws {
        let (cluster, _, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.snapshotInstallTimeout = .seconds(4)
        }
        cluster.network.snapshotChunkDelay = .milliseconds(200)
        cluster.network.snapshotChunksToLose = 1
        try cluster.start(follower)
        _ = try await cluster.eventually(.seconds(30), "the follower installs a snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        // Timed on the leader's side, from the lost stream's last chunk to the next stream:
        // fixed, the 4 s install timeout (and a tick); before, Raft's second ask, about 8 s after
        // the first stream's start (7.8 s after its chunk). The test's own clock, from the
        // follower's start to its install, missed a 6.5 s bound at 6.7-8.6 s beside the server
        // suites: it counted the restart and the test task's own delays too.
        let streams = cluster.network.snapshotStreamTimes(to: follower)
        try #require(streams.count >= 2, "\(streams.count) streams")
        let lost = try #require(streams[0].lastChunk)
        let gap = streams[1].started - lost
        #expect(gap >= .seconds(4) && gap < .seconds(6), "streamed again \(gap) after the lost stream's last chunk")
        _ = try await cluster.converged()
    }

    /// A follower killed while the leader streams its snapshot to it, then restarted: it gets a
    /// snapshot within a few seconds. The lost chunk is reported as the TCP transport does (the
    /// link drops its queue at the next failed connect and reports the peer unreachable), while
    /// the stream itself ends well. Before, the transfer held the follower for the install
    /// timeout (30 s) after its last chunk: the restarted node of the failover bench stayed
    /// unready (issue 11).
    @Test func aFollowerKilledWhileItsSnapshotStreamsGetsOneSoonAfterItsRestart() async throws {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog()
        cluster.network.snapshotChunkDelay = .seconds(1)
        try cluster.start(follower)
        _ = try await cluster.eventually(.seconds(20), "the leader streams a snapshot to the follower") {
            cluster.network.snapshotStreamsStarted(to: follower) >= 1 ? true : nil
        }
        cluster.stop(follower)  // while the chunk is on its way: it is lost
        try await Task.sleep(for: .seconds(1))
        cluster.network.snapshotChunkDelay = .zero
        let waited = try await cluster.startAndAwaitSnapshot(follower, within: .seconds(15))
        #expect(waited < .seconds(8), "the restarted follower got its snapshot after \(waited)")
        _ = try await cluster.converged()
        #expect(cluster.driver(leader).status.counters.snapshotsFailed >= 1)  // the lost one
    }

    @Test func aTransferToAnUnreachablePeerIsLost() {
        var transfers = SnapshotTransfers(installTimeout: .seconds(30))
        let start = ContinuousClock.now
        let streaming = transfers.started(to: 2, index: 100, term: 3, now: start)
        transfers.started(to: 3, index: 100, term: 3, now: start)
        transfers.finished(to: 3, failed: false, now: start)
        #expect(transfers.lost(to: 4) == nil)
        guard case .streaming = transfers.lost(to: 2) else {
            Issue.record("a streaming transfer to an unreachable peer was not cancelled")
            return
        }
        #expect(streaming.cancel.isSet && transfers.isUnderWay(to: 2))  // until its thread reports
        #expect(transfers.lost(to: 2) == nil)  // once
        // Its thread may have queued the last chunk before it saw the flag: lost all the same.
        #expect(transfers.finished(to: 2, failed: false, now: start).failed)
        #expect(!transfers.isUnderWay(to: 2))
        guard case .sent(let sent) = transfers.lost(to: 3) else {
            Issue.record("a sent transfer to an unreachable peer was kept")
            return
        }
        #expect(sent.index == 100 && !transfers.isUnderWay(to: 3))
        #expect(transfers.compactionFloor { _ in 50 } == nil)
    }

    @Test func aTransferHoldsCompactionUntilCaughtUpFailedOrTimedOut() {
        var transfers = SnapshotTransfers(installTimeout: .seconds(30))
        let start = ContinuousClock.now
        let unknown: (NodeID) -> UInt64? = { _ in nil }
        transfers.started(to: 2, index: 100, term: 1, now: start)
        transfers.started(to: 3, index: 120, term: 1, now: start)
        #expect(transfers.compactionFloor(match: unknown) == 100 && transfers.isUnderWay(to: 2))
        transfers.prune(now: start + .seconds(60), applied: 500, margin: 10, term: 1, match: unknown)
        #expect(transfers.compactionFloor(match: unknown) == 100)  // still streaming: held whatever the time
        transfers.finished(to: 2, failed: false, now: start)
        transfers.finished(to: 3, failed: true, now: start)
        #expect(!transfers.isUnderWay(to: 3) && transfers.compactionFloor(match: unknown) == 100)
        transfers.prune(now: start + .seconds(1), applied: 500, margin: 10, term: 1) { _ in 99 }
        #expect(transfers.compactionFloor { _ in 99 } == 100)  // sent, not installed yet
        transfers.prune(now: start + .seconds(1), applied: 500, margin: 10, term: 1) { _ in 300 }
        #expect(transfers.compactionFloor { _ in 300 } == 300)  // installed, catching up: held at its match
        transfers.prune(now: start + .seconds(1), applied: 500, margin: 10, term: 1) { _ in 490 }
        #expect(transfers.compactionFloor { _ in 490 } == nil)  // caught up
        transfers.started(to: 2, index: 200, term: 1, now: start)
        transfers.finished(to: 2, failed: false, now: start)
        let abandoned = transfers.prune(now: start + .seconds(30), applied: 500, margin: 10, term: 1) { _ in 150 }
        #expect(transfers.compactionFloor(match: unknown) == nil)  // timed out after sending
        // Reported to Raft as failed, so it asks for another at once.
        #expect(abandoned.map(\.peer) == [2] && abandoned.map(\.ending) == [.installTimeout])
    }

    /// A leader deposed and elected again while it streamed to a follower: the follower refuses
    /// that snapshot (an older term's), so the transfer must not hold a new stream back for the
    /// install timeout (the seed-109 chaos run's 30 s catch-up of a new member).
    @Test func aTransferOfAnEarlierTermIsCancelledOrForgotten() {
        var transfers = SnapshotTransfers(installTimeout: .seconds(30))
        let start = ContinuousClock.now
        let behind: (NodeID) -> UInt64? = { _ in 50 }
        let streaming = transfers.started(to: 2, index: 100, term: 7, now: start)
        transfers.started(to: 3, index: 100, term: 7, now: start)
        transfers.finished(to: 3, failed: false, now: start)
        transfers.prune(now: start + .seconds(1), applied: 500, margin: 10, term: 7, match: behind)
        #expect(transfers.isUnderWay(to: 2) && transfers.isUnderWay(to: 3) && !streaming.cancel.isSet)
        transfers.prune(now: start + .seconds(1), applied: 500, margin: 10, term: 9, match: behind)
        #expect(!transfers.isUnderWay(to: 3), "a snapshot sent in an earlier term held a new stream back")
        #expect(streaming.cancel.isSet, "a stream of an earlier term was not cancelled")
        #expect(transfers.isUnderWay(to: 2))  // until its thread reports the cancelled stream
        transfers.finished(to: 2, failed: true, now: start + .seconds(2))
        #expect(!transfers.isUnderWay(to: 2) && transfers.compactionFloor(match: behind) == nil)
        // A request of the new term forgets a sent transfer of an earlier one at once (not at
        // the next tick), and waits for a streaming one's cancellation.
        transfers.started(to: 4, index: 100, term: 9, now: start)
        transfers.finished(to: 4, failed: false, now: start)
        let sameTerm = transfers.forgetEarlierTerm(to: 4, term: 9)
        #expect(sameTerm)  // this term's: still under way
        let laterTerm = transfers.forgetEarlierTerm(to: 4, term: 10)
        #expect(!laterTerm && !transfers.isUnderWay(to: 4))
        let old = transfers.started(to: 5, index: 100, term: 9, now: start)
        let stillStreaming = transfers.forgetEarlierTerm(to: 5, term: 10)
        #expect(stillStreaming && old.cancel.isSet)
    }
}
