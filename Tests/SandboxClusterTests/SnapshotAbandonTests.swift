import ClusterTestSupport
import Foundation
import Raft
import SandboxStorage
import SandboxWire
import TestSupport
import Testing

@testable import SandboxCluster

/// A snapshot chunk dropped by the receiver's full inbox abandons the stream there; the receiver
/// says so (`snapshotAbandoned`), and the leader streams again after its retry wait instead of
/// waiting for its install timeout (30 s) for an install that cannot come.
@Suite struct SnapshotAbandonTests {
    /// The receiver's side, on a driver whose loop is not running (its inbox of one event fills
    /// with the first chunk and stays full): one notice per stream, every drop counted.
    @Test func aDroppedChunkTellsTheSenderOncePerStream() throws {
        let directory = TemporaryDirectory("abandon")
        let storage = try NodeStorage(path: directory.subpath("node-2"), options: .small)
        defer { storage.close() }
        try storage.bootstrap(ConfState(voters: [1, 2, 3]))
        var config = DriverConfig(raft: RaftConfig(id: 2), seed: 1)
        config.maxInboxEvents = 1
        let transport = RecordingTransport()
        let driver = try RaftDriver(
            config: config, storage: storage, machine: CounterMachine(store: storage.state), transport: transport)
        func chunk(_ sequence: UInt32, index: UInt64, stream: UInt64? = nil) -> Frame {
            .snapshotChunk(Self.chunk(sequence, index: index, term: 4, stream: stream))
        }
        driver.receive(chunk(0, index: 100), from: 1)  // queued: the inbox is full now
        #expect(transport.sent.isEmpty)
        driver.receive(chunk(1, index: 100), from: 1)
        driver.receive(chunk(2, index: 100), from: 1)
        #expect(transport.sent.map(\.frame) == [.snapshotAbandoned(SnapshotNotice(term: 4, index: 100))])
        #expect(transport.sent.map(\.peer) == [1])
        // The leader's next stream (even of the same snapshot) is news again; a numbered one is
        // named by its number.
        driver.receive(chunk(0, index: 100, stream: 7), from: 1)
        driver.receive(chunk(1, index: 100, stream: 7), from: 1)
        #expect(transport.sent.count == 2)
        #expect(transport.sent.last?.frame == .snapshotAbandoned(SnapshotNotice(term: 4, index: 100, stream: 7)))
        #expect(driver.snapshotChunkDrops.count == 4)
    }

    /// A chunk of the `.snapshot` message at `index`, from node 1 to node 2 in `term`, numbered
    /// as a leader of this release numbers its streams (nil: as one of an earlier release).
    static func chunk(
        _ sequence: UInt32, index: UInt64, term: UInt64, stream: UInt64? = nil, bytes: [UInt8] = [1]
    ) -> SnapshotChunkFrame {
        var message = Message(kind: .snapshot, from: 1, to: 2, term: term)
        message.snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, conf: ConfState(voters: [1])))
        if let stream { message.context = SnapshotStreamMark.context(stream: stream) }
        return SnapshotChunkFrame(message: message, sequence: sequence, isLast: false, chunk: bytes)
    }

    /// A stream the follower refuses at chunk 0 (a snapshot it does not need) or one over its
    /// size cap is told to the leader once, as a dropped chunk is; a gap (which follows a dropped
    /// chunk, already told) is not. Before, the leader waited out its install timeout (30 s).
    @Test func aStreamRefusedAtChunkZeroOrOverTheSizeCapIsToldToTheLeader() throws {
        let directory = TemporaryDirectory("refuse")
        let storage = try NodeStorage(path: directory.subpath("node-2"), options: .small)
        defer { storage.close() }
        try storage.bootstrap(ConfState(voters: [1, 2, 3]))
        var config = DriverConfig(raft: RaftConfig(id: 2), seed: 1)
        config.wire.maxSnapshotBytes = 8
        let transport = RecordingTransport()
        // Not started: the test thread plays the loop's.
        let driver = try RaftDriver(
            config: config, storage: storage, machine: CounterMachine(store: storage.state), transport: transport)
        let notNeeded = driver.status.commitIndex  // this node holds that much already
        driver.receiveSnapshotChunk(Self.chunk(0, index: notNeeded, term: 4, stream: 3))
        driver.receiveSnapshotChunk(Self.chunk(1, index: notNeeded, term: 4, stream: 3))
        #expect(
            transport.sent.map(\.frame) == [.snapshotAbandoned(SnapshotNotice(term: 4, index: notNeeded, stream: 3))])
        // Over the cap (8 bytes) at chunk 0, and at a later chunk; each stream told once.
        driver.receiveSnapshotChunk(Self.chunk(0, index: 500, term: 4, stream: 4, bytes: Array(repeating: 1, count: 9)))
        driver.receiveSnapshotChunk(Self.chunk(1, index: 500, term: 4, stream: 4))
        #expect(transport.sent.count == 2)
        #expect(transport.sent.last?.frame == .snapshotAbandoned(SnapshotNotice(term: 4, index: 500, stream: 4)))
        // A gap: chunk 1 of a stream whose chunk 0 never came. Not told.
        driver.receiveSnapshotChunk(Self.chunk(1, index: 600, term: 4, stream: 5))
        #expect(transport.sent.count == 2)
        #expect(transport.sent.allSatisfy { $0.peer == 1 })
        #expect(driver.counters.snapshotStreamsRefused == 2)
    }

    /// A complete stream (its last chunk handed to the receiver) is kept against the same
    /// snapshot sent again in the same leader's term, which is refused and told; the same
    /// snapshot from a later term's leader is taken instead (Raft would refuse the kept one's
    /// message, of the earlier term, at its step), and nothing is told. Once the receiver has
    /// stopped (the node stops), a stream is dropped without a notice.
    @Test func aCompleteStreamIsKeptAgainstTheSameSnapshotOnlyInItsLeadersTerm() throws {
        let directory = TemporaryDirectory("leader-term")
        let storage = try NodeStorage(path: directory.subpath("node-2"), options: .small)
        defer { storage.close() }
        try storage.bootstrap(ConfState(voters: [1, 2, 3]))
        let transport = RecordingTransport()
        // Not started: the test thread plays the loop's (the receiver's reports stay queued).
        let driver = try RaftDriver(
            config: DriverConfig(raft: RaftConfig(id: 2), seed: 1), storage: storage,
            machine: CounterMachine(store: storage.state), transport: transport)
        defer { driver.snapshotReceiver.stop() }
        func whole(leaderTerm: UInt64, stream: UInt64) -> SnapshotChunkFrame {
            var frame = Self.chunk(0, index: 500, term: 4, stream: stream)
            frame.message.term = leaderTerm
            frame.isLast = true
            return frame
        }
        driver.receiveSnapshotChunk(whole(leaderTerm: 4, stream: 1))
        #expect(driver.receiving?.complete == true)
        let kept = try #require(driver.receiving?.generation)
        #expect(transport.sent.isEmpty)

        driver.receiveSnapshotChunk(whole(leaderTerm: 4, stream: 2))  // the same, again
        #expect(transport.sent.map(\.frame) == [.snapshotAbandoned(SnapshotNotice(term: 4, index: 500, stream: 2))])
        #expect(driver.receiving?.generation == kept)

        driver.receiveSnapshotChunk(whole(leaderTerm: 5, stream: 1))  // a new leader's copy
        #expect(transport.sent.count == 1)
        #expect(driver.receiving?.generation == kept + 1)
        #expect(driver.receiving?.leaderTerm == 5)
        #expect(driver.counters.snapshotStreamsRefused == 1)

        // The receiver stopped (the node is stopping): a new stream is dropped, not told.
        driver.snapshotReceiver.stop()
        driver.receiveSnapshotChunk(whole(leaderTerm: 6, stream: 1))
        #expect(driver.receiving == nil)
        #expect(transport.sent.count == 1)
    }

    /// End to end: a follower whose size cap the snapshot exceeds refuses it; the leader hears
    /// so and streams again after its retry wait (250 ms), counting the abandoned transfer.
    /// Before, the next stream came after the install timeout (30 s here).
    @Test func aStreamOverTheFollowersSizeCapIsStreamedAgainAfterTheRetryWait() async throws {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.snapshotInstallTimeout = .seconds(30)
        }
        let configure = cluster.configure
        cluster.configure = {
            configure(&$0)
            $0.wire.maxSnapshotBytes = 1
        }
        let started = ContinuousClock.now
        try cluster.start(follower)
        _ = try await cluster.eventually(.seconds(20), "the leader streams the snapshot twice") {
            cluster.network.snapshotStreamsStarted(to: follower) >= 2 ? true : nil
        }
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(10), "the second stream started \(waited) after the follower's start")
        #expect(cluster.driver(leader).status.counters.snapshotsAbandoned >= 1)
        #expect(cluster.driver(follower).status.counters.snapshotsInstalled == 0)
    }

    /// The leader's side: a stream whose only chunk was lost after it was queued (the stream
    /// "ended well") and whose follower then says it abandoned it. Streamed again after the
    /// retry wait (250 ms); before, after the install timeout (30 s here).
    @Test func aStreamTheFollowerAbandonedIsStreamedAgainAfterTheRetryWait() async throws {
        let (cluster, leader, follower, notice) = try await Self.aStreamWhoseOnlyChunkIsLost()
        #expect(cluster.driver(follower).status.counters.snapshotsInstalled == 0)
        let told = ContinuousClock.now
        // What the follower sends when its full inbox drops a chunk (the test above).
        cluster.driver(leader).receive(.snapshotAbandoned(notice), from: follower)
        _ = try await cluster.eventually(.seconds(20), "the follower installs a snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        let waited = ContinuousClock.now - told
        #expect(waited < .seconds(10), "the follower got its snapshot \(waited) after it abandoned the stream")
        // The stream's thread reports its end through the leader's inbox, which the leader's
        // loop may take after the follower has installed (a fresh-clone run, 2026-12-03).
        let counters = try await cluster.eventually(.seconds(10), "the leader counts the second stream sent") {
            let counters = cluster.driver(leader).status.counters
            return counters.snapshotsSent >= 2 ? counters : nil
        }
        #expect(counters.snapshotsAbandoned == 1)
        // A notice about another stream (an earlier term's) changes nothing.
        let earlier = SnapshotNotice(term: notice.term - 1, index: notice.index, stream: notice.stream)
        cluster.driver(leader).receive(.snapshotAbandoned(earlier), from: follower)
        _ = try await cluster.converged()
        #expect(cluster.driver(leader).status.counters.snapshotsAbandoned == 1)
    }

    /// A chunk the follower cannot install (damaged on the way: its checksum fails) abandons the
    /// stream there too: the follower says so, and the leader streams again after its retry wait
    /// instead of its install timeout (30 s here).
    @Test func aDamagedStreamIsReportedAndStreamedAgain() async throws {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.snapshotInstallTimeout = .seconds(30)
        }
        cluster.network.snapshotChunksToDamage = 1
        let waited = try await cluster.startAndAwaitSnapshot(follower, within: .seconds(20))
        #expect(waited < .seconds(10), "the follower got its snapshot \(waited) after its start")
        let counters = cluster.driver(leader).status.counters
        #expect(counters.snapshotsAbandoned == 1 && cluster.network.snapshotStreamsStarted(to: follower) >= 2)
        _ = try await cluster.converged()
    }

    /// A notice that arrives late, after the leader's next stream of the same snapshot began,
    /// leaves that stream alone: it names the stream it is about by its number. Before, a stream
    /// was named by term and index only, and the late notice cancelled the next stream too.
    @Test func aLateNoticeLeavesTheNextStreamOfTheSameSnapshotAlone() async throws {
        let (cluster, leader, follower, first) = try await Self.aStreamWhoseOnlyChunkIsLost()
        #expect(first.stream != nil, "the leader's stream carries no number")
        cluster.network.snapshotChunkDelay = .seconds(1)  // the next stream is still under way below
        cluster.driver(leader).receive(.snapshotAbandoned(first), from: follower)
        let second = try await cluster.eventually(.seconds(20), "the leader streams the snapshot again") {
            cluster.network.snapshotStreamsStarted(to: follower) >= 2
                ? cluster.network.latestSnapshotStream(to: follower) : nil
        }
        #expect(second.term == first.term && second.index == first.index && second.stream != first.stream)
        cluster.driver(leader).receive(.snapshotAbandoned(first), from: follower)  // late
        _ = try await cluster.eventually(.seconds(20), "the follower installs a snapshot") {
            cluster.driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        #expect(cluster.driver(leader).status.counters.snapshotsAbandoned == 1)
        #expect(cluster.network.snapshotStreamsStarted(to: follower) == 2)
        cluster.network.snapshotChunkDelay = .zero
        _ = try await cluster.converged()
    }

    /// By number, and without one (a follower of an earlier release, during a rolling upgrade)
    /// by term and index as before.
    @Test func aNumberedNoticeEndsOnlyItsStream() {
        var transfers = SnapshotTransfers(installTimeout: .seconds(30))
        let start = ContinuousClock.now
        let earlier = transfers.started(to: 2, index: 100, term: 3, now: start)
        transfers.finished(to: 2, failed: true, now: start)
        let next = transfers.started(to: 2, index: 100, term: 3, now: start)
        #expect(next.stream == earlier.stream + 1)
        let late = SnapshotNotice(term: 3, index: 100, stream: earlier.stream)
        #expect(transfers.abandoned(by: 2, late) == nil && !next.cancel.isSet)
        guard case .streaming = transfers.abandoned(by: 2, SnapshotNotice(term: 3, index: 100, stream: next.stream))
        else {
            Issue.record("the stream a notice named was not cancelled")
            return
        }
        transfers.finished(to: 2, failed: false, now: start)
        transfers.started(to: 3, index: 100, term: 3, now: start)
        guard case .streaming = transfers.abandoned(by: 3, SnapshotNotice(term: 3, index: 100)) else {
            Issue.record("an unnumbered notice did not end the stream of its term and index")
            return
        }
    }

    @Test func onlyTheStreamNamedIsAbandoned() {
        var transfers = SnapshotTransfers(installTimeout: .seconds(30))
        let start = ContinuousClock.now
        let streaming = transfers.started(to: 2, index: 100, term: 3, now: start)
        transfers.started(to: 3, index: 120, term: 3, now: start)
        transfers.finished(to: 3, failed: false, now: start)
        let otherTerm = transfers.abandoned(by: 2, SnapshotNotice(term: 2, index: 100))
        let otherSnapshot = transfers.abandoned(by: 2, SnapshotNotice(term: 3, index: 90))
        let noTransfer = transfers.abandoned(by: 4, SnapshotNotice(term: 3, index: 100))
        #expect(otherTerm == nil && otherSnapshot == nil && noTransfer == nil && !streaming.cancel.isSet)
        guard case .streaming = transfers.abandoned(by: 2, SnapshotNotice(term: 3, index: 100)) else {
            Issue.record("a streaming transfer its follower abandoned was not cancelled")
            return
        }
        let again = transfers.abandoned(by: 2, SnapshotNotice(term: 3, index: 100))
        #expect(streaming.cancel.isSet && again == nil)  // once
        let ended = transfers.finished(to: 2, failed: false, now: start)
        #expect(ended.failed && ended.transfer?.abandonedByPeer == true)
        guard case .sent(let sent) = transfers.abandoned(by: 3, SnapshotNotice(term: 3, index: 120)) else {
            Issue.record("a sent transfer its follower abandoned was kept")
            return
        }
        #expect(sent.abandonedByPeer && !transfers.isUnderWay(to: 3))
    }

    /// The wait after a stream the follower abandoned is not cut short by its frames: it is up
    /// and answering heartbeats, and a stream started at once would meet the same full inbox.
    @Test func theWaitAfterAnAbandonedStreamIsNotEndedByThePeersFrames() {
        var retries = SnapshotRetries(initialDelay: .milliseconds(250), maximumDelay: .seconds(2))
        let start = ContinuousClock.now
        let delay = retries.failed(to: 2, now: start, endsWhenHeard: false)
        #expect(delay == .milliseconds(250))
        retries.heard(from: 2)
        #expect(!retries.mayStart(to: 2, now: start + .milliseconds(249)))
        #expect(retries.mayStart(to: 2, now: start + .milliseconds(250)))
        let next = retries.failed(to: 2, now: start)  // a lost one: ended by a frame
        #expect(next == .milliseconds(500))
        retries.heard(from: 2)
        #expect(retries.mayStart(to: 2, now: start))
    }
    /// A follower behind the compacted log started with its snapshot stream's only chunk lost
    /// on the way (the install timeout 30 s): the cluster, its leader, the follower, and the
    /// stream the leader sent (as the network saw it).
    static func aStreamWhoseOnlyChunkIsLost() async throws -> (
        TestCluster, leader: NodeID, follower: NodeID, stream: SnapshotNotice
    ) {
        let (cluster, leader, follower) = try await TestCluster.withAFollowerBehindTheCompactedLog {
            $0.snapshotInstallTimeout = .seconds(30)
        }
        cluster.network.snapshotChunksToLose = 1
        try cluster.start(follower)
        let stream = try await cluster.eventually(.seconds(20), "the leader sends a snapshot stream") {
            cluster.driver(leader).status.counters.snapshotsSent >= 1
                ? cluster.network.latestSnapshotStream(to: follower) : nil
        }
        return (cluster, leader, follower, stream)
    }
}

/// Records what a driver sends; delivers nothing.
final class RecordingTransport: PeerTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [(frame: Frame, peer: NodeID)] = []

    /// `@unchecked Sendable`: `frames` is read and written only with `lock` held.
    var sent: [(frame: Frame, peer: NodeID)] { lock.withLock { frames } }

    func send(_ frame: Frame, to peer: NodeID) -> Bool {
        lock.withLock { frames.append((frame, peer)) }
        return true
    }
}

/// The receiver's staged installer against the loop, with the test thread as the loop (the
/// driver is not started): the interleavings the running loop meets only by timing.
@Suite struct SnapshotStagedRaceTests {
    /// A stream stored and staged, its report not yet taken by the loop, when a newer snapshot's
    /// stream begins: the staged installer is dropped (the store holds one installation at a
    /// time, so the newer one could not begin otherwise), the late report installs nothing, and
    /// the newer snapshot is installed whole.
    @Test func aStagedStreamSupersededBeforeTheLoopTakesItIsDroppedAndTheNewerInstalled() async throws {
        let directory = TemporaryDirectory("staged-race")
        let source = try NodeStorage(path: directory.subpath("source"), options: .small)
        defer { source.close() }
        try source.bootstrap(ConfState(voters: [1, 2, 3]))
        func applyEntries(through last: UInt64) throws {
            let first = try source.log.lastIndex() + 1
            try source.log.append((first...last).map { Entry(term: 3, index: $0, data: [UInt8]("e\($0)".utf8)) })
            var batch = StateBatch()
            for index in first...last { batch.put([UInt8]("key-\(index)".utf8), [UInt8]("value-\(index)".utf8)) }
            try source.state.apply(batch, appliedIndex: last)
        }
        try applyEntries(through: 50)
        let older = try source.state.makeSnapshot(maxChunkBytes: 256)
        try applyEntries(through: 80)
        let newer = try source.state.makeSnapshot(maxChunkBytes: 256)
        func frames(of reader: SnapshotReader, stream: UInt64) throws -> [SnapshotChunkFrame] {
            var message = Message(kind: .snapshot, from: 1, to: 2, term: 3)
            message.snapshot = Snapshot(metadata: reader.metadata)
            message.context = SnapshotStreamMark.context(stream: stream)
            var frames: [SnapshotChunkFrame] = []
            while let chunk = try reader.nextChunk(), frames.count < 1000 {
                frames.append(
                    SnapshotChunkFrame(
                        message: message, sequence: chunk.sequence, isLast: chunk.isLast, chunk: chunk.encoded()))
            }
            reader.close()
            return frames
        }
        let olderFrames = try frames(of: older, stream: 1)
        let newerFrames = try frames(of: newer, stream: 2)
        #expect(olderFrames.count > 1 && newerFrames.count > 1)

        let storage = try NodeStorage(path: directory.subpath("node-2"), options: .small)
        defer { storage.close() }
        try storage.bootstrap(ConfState(voters: [1, 2, 3]))
        let driver = try RaftDriver(
            config: DriverConfig(raft: RaftConfig(id: 2), seed: 1), storage: storage,
            machine: CounterMachine(store: storage.state), transport: RecordingTransport())
        defer { driver.snapshotReceiver.stop() }
        func staged(_ generation: UInt64) async throws {
            for _ in 0..<1000 where driver.snapshotReceiver.stagedGeneration != generation {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(driver.snapshotReceiver.stagedGeneration == generation)
        }

        for frame in olderFrames { driver.receiveSnapshotChunk(frame) }
        let olderGeneration = try #require(driver.receiving?.generation)
        try await staged(olderGeneration)
        // The newer stream begins before the loop took the older one's report.
        for frame in newerFrames { driver.receiveSnapshotChunk(frame) }
        let newerGeneration = try #require(driver.receiving?.generation)
        #expect(newerGeneration == olderGeneration + 1)
        try await staged(newerGeneration)
        // The older one's report, taken late: nothing to install.
        driver.snapshotReceived(.staged(generation: olderGeneration, frame: olderFrames.last!))
        #expect(driver.counters.snapshotsInstalled == 0)
        #expect(storage.state.appliedIndex() < 50)

        driver.snapshotReceived(.staged(generation: newerGeneration, frame: newerFrames.last!))
        #expect(driver.counters.snapshotsInstalled == 1)
        #expect(driver.receiving == nil)
        #expect(driver.snapshotReceiver.stagedGeneration == nil)
        #expect(storage.state.appliedIndex() == 80)
        #expect(try storage.state.get([UInt8]("key-80".utf8)) == [UInt8]("value-80".utf8))
        #expect(try storage.state.get([UInt8]("key-50".utf8)) == [UInt8]("value-50".utf8))
        #expect(driver.status.counters.snapshotStreamsRefused == 0)
    }
}
