import Foundation
import Raft
import SandboxWire

@testable import SandboxCluster

/// An in-process network for driver tests: every frame goes through the wire codec (encoded,
/// decoded) and is delivered in order to the destination's driver; a node marked down neither
/// sends nor receives (frames to or from it vanish, as on a real network). A frame sent to a
/// node that is down is reported to the sender as unreachable, as the TCP transport does when
/// a connection attempt fails and drops what was queued (the send itself succeeded: queued).
///
/// `@unchecked Sendable`: `sinks`, `down`, `snapshotChunkDelay`, `appendedEntries`,
/// `snapshotWindows`, `streamsStarted`, `streamed`, `streamTimes`, `chunksToLose`,
/// `chunksToDamage`, `outcomesHeldFor`, `heldOutcomes`, `proposalFramesToRefuse` and `messageCounts`
/// are guarded by `lock`.
final class MemoryNetwork: @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [NodeID: any FrameSink] = [:]
    private var down: Set<NodeID> = []
    private var chunkDelay: Duration = .zero
    private var chunksToLose = 0
    private var chunksToDamage = 0
    private var outcomesHeldFor: Set<NodeID> = []
    private var proposalFramesToRefuse = 0
    private var heldOutcomes: [(frame: Frame, from: NodeID, to: NodeID)] = []
    private var appendedEntries: [NodeID: Int] = [:]
    private var messageCounts: [Link: Int] = [:]
    private var snapshotWindows: [NodeID: (start: Int, end: Int?)] = [:]
    private var streamsStarted: [NodeID: Int] = [:]
    private var streamed: [NodeID: SnapshotNotice] = [:]
    private var streamTimes: [NodeID: [(started: ContinuousClock.Instant, lastChunk: ContinuousClock.Instant?)]] = [:]

    private struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    /// How many Raft messages `from` has sent `to` so far (delivered or lost).
    func messagesSent(from: NodeID, to: NodeID) -> Int {
        lock.withLock { messageCounts[Link(from: from, to: to), default: 0] }
    }

    /// How many entries `.append` messages have carried to `node` so far (delivered or lost).
    func entriesSent(to node: NodeID) -> Int { lock.withLock { appendedEntries[node, default: 0] } }

    /// How many snapshot streams have started sending to `node` (their first chunk on its way).
    func snapshotStreamsStarted(to node: NodeID) -> Int { lock.withLock { streamsStarted[node, default: 0] } }

    /// When each snapshot stream to `node` started (its first chunk on its way) and when its last
    /// chunk was sent (delivered or lost; nil until then), on the sending thread's clock.
    func snapshotStreamTimes(to node: NodeID) -> [(
        started: ContinuousClock.Instant, lastChunk: ContinuousClock.Instant?
    )] {
        lock.withLock { streamTimes[node, default: []] }
    }

    /// The term, index and number of the latest snapshot stream to `node` (nil before the first).
    func latestSnapshotStream(to node: NodeID) -> SnapshotNotice? { lock.withLock { streamed[node] } }

    /// The entries sent to `node` between the start of the latest snapshot stream to it and the
    /// delivery of that stream's last chunk (nil until it is delivered).
    func entriesSentDuringSnapshot(to node: NodeID) -> Int? {
        lock.withLock { snapshotWindows[node].flatMap { window in window.end.map { $0 - window.start } } }
    }

    fileprivate func snapshotChunk(_ frame: Frame, to node: NodeID, delivered: Bool) {
        guard case .snapshotChunk(let chunk) = frame else { return }
        lock.withLock {
            let count = appendedEntries[node, default: 0]
            if !delivered && chunk.sequence == 0 {
                snapshotWindows[node] = (count, nil)
                streamsStarted[node, default: 0] += 1
                streamed[node] = chunk.abandoningNotice
                streamTimes[node, default: []].append((ContinuousClock.now, nil))
            }
            if delivered && chunk.isLast { snapshotWindows[node]?.end = count }
        }
    }

    /// How long each snapshot chunk takes to send (on the snapshot's own sending thread): a large
    /// state on a slow link.
    var snapshotChunkDelay: Duration {
        get { lock.withLock { chunkDelay } }
        set { lock.withLock { chunkDelay = newValue } }
    }

    /// How many of the next snapshot chunks are lost after the sender was told they were queued
    /// (a connection that drops its queue on a reconnect; the stream itself ends well).
    var snapshotChunksToLose: Int {
        get { lock.withLock { chunksToLose } }
        set { lock.withLock { chunksToLose = newValue } }
    }

    /// The chunk went (delivered or lost): the stream's last one ends it.
    fileprivate func snapshotChunkSent(_ frame: Frame, to node: NodeID) {
        guard case .snapshotChunk(let chunk) = frame, chunk.isLast else { return }
        lock.withLock {
            guard let last = streamTimes[node]?.indices.last else { return }
            streamTimes[node]?[last].lastChunk = ContinuousClock.now
        }
    }

    /// How many of the next snapshot chunks arrive with a damaged byte (the receiver's checksum
    /// refuses them).
    var snapshotChunksToDamage: Int {
        get { lock.withLock { chunksToDamage } }
        set { lock.withLock { chunksToDamage = newValue } }
    }

    fileprivate func damagingSnapshotChunk(_ frame: Frame) -> Frame {
        guard case .snapshotChunk(var chunk) = frame, !chunk.chunk.isEmpty else { return frame }
        let damage = lock.withLock {
            guard chunksToDamage > 0 else { return false }
            chunksToDamage -= 1
            return true
        }
        guard damage else { return frame }
        chunk.chunk[chunk.chunk.count / 2] ^= 0xFF
        return .snapshotChunk(chunk)
    }

    fileprivate func losesSnapshotChunk() -> Bool {
        lock.withLock {
            guard chunksToLose > 0 else { return false }
            chunksToLose -= 1
            return true
        }
    }

    func attach(_ node: NodeID, _ sink: any FrameSink) {
        lock.withLock {
            sinks[node] = sink
            down.remove(node)
        }
    }

    func detach(_ node: NodeID) {
        lock.withLock {
            sinks[node] = nil
            down.insert(node)
        }
    }

    /// Cuts a running node off: frames to or from it vanish until `heal` (its driver runs on).
    func isolate(_ node: NodeID) {
        lock.withLock { _ = down.insert(node) }
    }

    func heal(_ node: NodeID) {
        lock.withLock { _ = down.remove(node) }
    }

    func endpoint(for node: NodeID) -> Endpoint { Endpoint(network: self, node: node) }

    /// Holds the leader's answers to the proposals `node` forwards (`outcomes` frames) until
    /// `releaseOutcomes()`, while everything else goes on: the entries reach `node` before their
    /// answer does (a real connection keeps them in order).
    func holdOutcomes(to node: NodeID) { lock.withLock { _ = outcomesHeldFor.insert(node) } }

    /// Delivers the held answers, in order, and holds no more.
    func releaseOutcomes() {
        let held = lock.withLock {
            outcomesHeldFor = []
            defer { heldOutcomes = [] }
            return heldOutcomes
        }
        for (frame, from, to) in held { _ = deliver(frame, from: from, to: to) }
    }

    /// How many of the next `proposals` frames any node sends are refused (`send` returns
    /// false, as the TCP transport does when a peer's queue is full).
    var proposalFramesRefused: Int {
        get { lock.withLock { proposalFramesToRefuse } }
        set { lock.withLock { proposalFramesToRefuse = newValue } }
    }

    fileprivate func deliver(_ frame: Frame, from: NodeID, to: NodeID) -> Bool {
        guard let body = try? frame.encoded() else { return false }
        if case .proposals = frame {
            let refused = lock.withLock {
                guard proposalFramesToRefuse > 0 else { return false }
                proposalFramesToRefuse -= 1
                return true
            }
            if refused { return false }
        }
        if case .outcomes = frame {
            let held = lock.withLock {
                guard outcomesHeldFor.contains(to) else { return false }
                heldOutcomes.append((frame, from, to))
                return true
            }
            if held { return true }
        }
        if case .messages(let messages) = frame {
            let entries = messages.reduce(0) { $0 + ($1.kind == .append ? $1.entries.count : 0) }
            lock.withLock {
                appendedEntries[to, default: 0] += entries
                messageCounts[Link(from: from, to: to), default: 0] += messages.count
            }
        }
        let (sink, sender): ((any FrameSink)?, (any FrameSink)?) = lock.withLock {
            if down.contains(from) { return (nil, nil) }
            return down.contains(to) ? (nil, sinks[from]) : (sinks[to], nil)
        }
        sender?.reportUnreachable(to)
        guard let sink, let decoded = try? Frame(decoding: body) else { return true }  // lost in the network
        sink.receive(decoded, from: from)
        return true
    }

    final class Endpoint: PeerTransport {
        let network: MemoryNetwork
        let node: NodeID

        init(network: MemoryNetwork, node: NodeID) {
            self.network = network
            self.node = node
        }

        func send(_ frame: Frame, to peer: NodeID) -> Bool { network.deliver(frame, from: node, to: peer) }

        func sendSnapshotChunk(_ frame: Frame, to peer: NodeID, until cancelled: () -> Bool) -> Bool {
            network.snapshotChunk(frame, to: peer, delivered: false)
            let delay = network.snapshotChunkDelay
            if delay > .zero { Thread.sleep(forTimeInterval: delay / .seconds(1)) }
            guard !cancelled() else { return false }
            network.snapshotChunkSent(frame, to: peer)
            if network.losesSnapshotChunk() { return true }
            network.snapshotChunk(frame, to: peer, delivered: true)
            return network.deliver(network.damagingSnapshotChunk(frame), from: node, to: peer)
        }
    }
}
