import Foundation
import NIOCore
import NIOPosix
import Raft
import SandboxCluster
import SandboxStorage
import SandboxWire
import TestSupport
import Testing

@testable import SandboxTransport

/// Collects what a transport delivers.
final class RecordingSink: FrameSink, @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [(Frame, NodeID)] = []
    private var unreachable: [NodeID] = []

    func receive(_ frame: Frame, from peer: NodeID) { lock.withLock { frames.append((frame, peer)) } }
    func reportUnreachable(_ peer: NodeID) { lock.withLock { unreachable.append(peer) } }
    var received: [(Frame, NodeID)] { lock.withLock { frames } }
    var unreachableReports: Int { lock.withLock { unreachable.count } }
}

func waitUntil(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct TCPTransportTests {
    /// Transports for nodes 1...n on loopback, listening, with each other's addresses.
    func transports(
        _ count: Int, cluster: String = "test", secrets: [[UInt8]?] = [], group: MultiThreadedEventLoopGroup? = nil
    ) async throws -> [TCPPeerTransport] {
        var transports: [TCPPeerTransport] = []
        var addresses: [NodeID: PeerAddress] = [:]
        for id in 1...UInt64(count) {
            var config = TCPTransportConfig(clusterID: cluster, localNode: id)
            config.seed = id
            config.clusterSecret = secrets.count >= id ? secrets[Int(id) - 1] : nil
            let transport = TCPPeerTransport(config: config, group: group)
            addresses[id] = PeerAddress(host: "127.0.0.1", port: try await transport.listen())
            transports.append(transport)
        }
        for transport in transports { transport.setPeers(addresses) }
        return transports
    }

    @Test func framesArriveInOrderAfterTheHandshake() async throws {
        let nodes = try await transports(2)
        let sink = RecordingSink()
        nodes[1].attach(sink)
        nodes[0].attach(RecordingSink())
        for round in 0..<100 {
            let message = Message(kind: .heartbeat, from: 1, to: 2, term: UInt64(round))
            #expect(nodes[0].send(.messages([message]), to: 2))
        }
        #expect(try await waitUntil { sink.received.count == 100 })
        let terms = sink.received.compactMap { frame, _ -> UInt64? in
            if case .messages(let messages) = frame { return messages.first?.term }
            return nil
        }
        #expect(terms == (0..<100).map { UInt64($0) })
        #expect(sink.received.allSatisfy { $0.1 == 1 })
        #expect(try await waitUntil { nodes[0].stats.welcomes == 1 })
        for node in nodes { await node.shutdown() }
    }

    /// On an outside group (sandboxd's `SANDBOX_TRANSPORT_LOOP=shared`: the HTTP loops), two
    /// transports exchange frames both ways on its loops, and shutting them down closes their
    /// channels but leaves the group, its owner's, running.
    @Test func transportsOnAnOutsideGroupWorkAndLeaveItRunning() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let nodes = try await transports(2, group: group)
        let sinks = [RecordingSink(), RecordingSink()]
        for (node, sink) in zip(nodes, sinks) { node.attach(sink) }
        for round in 0..<50 {
            #expect(nodes[0].send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: UInt64(round))]), to: 2))
            #expect(nodes[1].send(.messages([Message(kind: .heartbeat, from: 2, to: 1, term: UInt64(round))]), to: 1))
        }
        #expect(try await waitUntil { sinks[0].received.count == 50 && sinks[1].received.count == 50 })
        #expect(sinks[0].received.allSatisfy { $0.1 == 2 })
        #expect(sinks[1].received.allSatisfy { $0.1 == 1 })
        for node in nodes { await node.shutdown() }
        #expect(nodes.allSatisfy { $0.listeningPort == nil })
        // The group still runs tasks: the transports did not shut it down.
        let answer = try await group.next().submit { 42 }.get()
        #expect(answer == 42)
        try await group.shutdownGracefully()
    }

    /// Frames sent from several threads at once are coalesced into shared writes: every frame
    /// arrives, each sender's in its order, and the queue's room is all given back once written.
    @Test func framesFromManyThreadsAllArriveInEachSendersOrderAndFreeTheQueue() async throws {
        let nodes = try await transports(2)
        let sink = RecordingSink()
        nodes[1].attach(sink)
        nodes[0].attach(RecordingSink())
        let senders = 4
        let perSender = 500
        let refused = SnapshotCancelFlag.Counter()
        DispatchQueue.concurrentPerform(iterations: senders) { sender in
            for round in 0..<perSender {
                // `commit` names the sender, `term` its order.
                let message = Message(kind: .heartbeat, from: 1, to: 2, term: UInt64(round), commit: UInt64(sender))
                if !nodes[0].send(.messages([message]), to: 2) { refused.increment() }
            }
        }
        #expect(refused.value == 0)
        #expect(try await waitUntil { sink.received.count == senders * perSender })
        var bySender: [UInt64: [UInt64]] = [:]
        for (frame, _) in sink.received {
            if case .messages(let messages) = frame, let first = messages.first {
                bySender[first.commit, default: []].append(first.term)
            }
        }
        #expect(bySender.count == senders)
        for terms in bySender.values { #expect(terms == (0..<perSender).map { UInt64($0) }) }
        #expect(try await waitUntil { nodes[0].link(to: 2)?.queuedFrameCount == 0 })
        for node in nodes { await node.shutdown() }
    }

    /// With the cluster secret, both ends prove it and frames flow, in order, after the proofs.
    @Test func withTheClusterSecretFramesFlowOnceBothEndsProvedIt() async throws {
        let secret = Array("the cluster secret".utf8)
        let nodes = try await transports(2, secrets: [secret, secret])
        let sink = RecordingSink()
        nodes[1].attach(sink)
        nodes[0].attach(RecordingSink())
        for round in 0..<50 {
            #expect(nodes[0].send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: UInt64(round))]), to: 2))
        }
        #expect(try await waitUntil { sink.received.count == 50 })
        // The dialler counts the welcome after it has flushed the waiting frames, so the count
        // may trail the frames' arrival.
        #expect(try await waitUntil { nodes[0].stats.welcomes == 1 })
        #expect(nodes[1].stats.refusedHandshakes.isEmpty)
        for node in nodes { await node.shutdown() }
    }

    /// A node with another secret, or none, delivers nothing: the dialler with another secret
    /// finds the welcome's proof wrong; a dialler without one is refused as unauthenticated.
    @Test func aPeerWithoutTheClusterSecretDeliversNothing() async throws {
        let nodes = try await transports(3, secrets: [Array("one".utf8), Array("two".utf8), nil])
        let sink = RecordingSink()
        nodes[1].attach(sink)
        nodes[0].attach(RecordingSink())
        nodes[2].attach(RecordingSink())
        for round in 0..<20 {
            _ = nodes[0].send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: UInt64(round))]), to: 2)
            _ = nodes[2].send(.messages([Message(kind: .heartbeat, from: 3, to: 2, term: UInt64(round))]), to: 2)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await waitUntil { nodes[0].stats.unauthenticatedWelcomes >= 1 })
        #expect(try await waitUntil { (nodes[1].stats.refusedHandshakes[.unauthenticated] ?? 0) >= 1 })
        #expect(sink.received.isEmpty)
        #expect(nodes[0].stats.welcomes == 0 && nodes[2].stats.welcomes == 0)
        for node in nodes { await node.shutdown() }
    }

    /// A dialler that claims `claimedNode` in `clusterID` and dials node 2 of a 2-node cluster
    /// "test": refused with `reason`, and nothing reaches node 2's sink.
    @Test(arguments: [
        ("elsewhere", 1 as NodeID, HandshakeRefusal.Reason.foreignCluster),  // another cluster
        ("test", 2, .impostor),  // claims the acceptor's own id
        ("test", 9, .unknownNode),  // not a member
    ])
    func strangersAreRefused(clusterID: String, claimedNode: NodeID, reason: HandshakeRefusal.Reason) async throws {
        let nodes = try await transports(2)
        let sink = RecordingSink()
        nodes[1].attach(sink)
        var config = TCPTransportConfig(clusterID: clusterID, localNode: claimedNode)
        config.peers = [2: PeerAddress(host: "127.0.0.1", port: try await port(of: nodes[1]))]
        let stranger = TCPPeerTransport(config: config)
        stranger.attach(RecordingSink())
        _ = try await stranger.listen()
        #expect(stranger.send(.messages([Message(kind: .heartbeat, from: claimedNode, to: 2, term: 9)]), to: 2))
        #expect(try await waitUntil { stranger.stats.lastRefusalReceived != nil })
        #expect(stranger.stats.lastRefusalReceived?.reason == reason)
        #expect(nodes[1].stats.refusedHandshakes[reason] == 1)
        #expect(sink.received.isEmpty)
        await stranger.shutdown()
        for node in nodes { await node.shutdown() }
    }

    /// A frame of a kind this release does not know (a newer release's, in a rolling upgrade) is
    /// skipped once the handshake is done: the connection stays and the next frame arrives.
    @Test func anUnknownFrameKindAfterTheHandshakeIsSkipped() async throws {
        let nodes = try await transports(2)
        let sink = RecordingSink()
        nodes[1].attach(sink)
        let port = try await port(of: nodes[1])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
        func send(_ body: [UInt8]) async throws {
            try await channel.writeAndFlush(channel.allocator.framed(body) as ByteBuffer).get()
        }
        let hello = Frame.hello(Handshake(clusterID: "test", node: 1, peer: 2))
        try await send(try hello.encoded())
        try await send([WireFormat.version, 200, 1, 2, 3])
        let heartbeat = Frame.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 1)])
        try await send(try heartbeat.encoded())
        #expect(try await waitUntil { sink.received.count == 1 })
        #expect(nodes[1].stats.unknownFrames == 1 && nodes[1].stats.badFrames == 0)
        #expect(channel.isActive)
        // Before the handshake the same frame closes the connection.
        let early = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
        try await early.writeAndFlush(early.allocator.framed([WireFormat.version, 200, 1]) as ByteBuffer).get()
        #expect(try await waitUntil(.seconds(5)) { !early.isActive })
        #expect(nodes[1].stats.badFrames == 1 && nodes[1].stats.unknownFrames == 1)
        try? await channel.close()
        try await group.shutdownGracefully()
        for node in nodes { await node.shutdown() }
    }

    @Test func badFramesCloseTheConnectionAndNothingElse() async throws {
        let nodes = try await transports(2)
        let sink = RecordingSink()
        nodes[1].attach(sink)
        nodes[0].attach(RecordingSink())
        let port = try await port(of: nodes[1])
        var random = SeededGenerator(seed: 5)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        for attempt in 0..<20 {
            // A huge length prefix, or random bytes, or a valid length around garbage.
            let bytes: [UInt8]
            switch attempt % 3 {
            case 0: bytes = [0xFF, 0xFF, 0xFF, 0xF0] + random.bytes(16)
            case 1: bytes = random.bytes(random.below(200) + 1)
            default:
                let body = [WireFormat.version] + random.bytes(30)
                bytes = [0, 0, 0, UInt8(body.count)] + body
            }
            let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            try await channel.writeAndFlush(channel.allocator.framed(Array(bytes.dropFirst(4))) as ByteBuffer).get()
            var raw = channel.allocator.buffer(capacity: bytes.count)
            raw.writeBytes(bytes)
            try? await channel.writeAndFlush(raw).get()
            // The acceptor closes the connection.
            let closed = try await waitUntil(.seconds(5)) { !channel.isActive }
            #expect(closed, "attempt \(attempt) left the connection open")
            try? await channel.close()
        }
        #expect(sink.received.isEmpty)
        #expect(nodes[1].stats.badFrames + nodes[1].stats.refusedHandshakes.values.reduce(0, +) >= 20)
        // The node still talks to its real peer.
        #expect(nodes[0].send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 1)]), to: 2))
        #expect(try await waitUntil { sink.received.count == 1 })
        try await group.shutdownGracefully()
        for node in nodes { await node.shutdown() }
    }

    @Test func aFullQueueDropsAndReportsUnreachable() async throws {
        var config = TCPTransportConfig(clusterID: "test", localNode: 1)
        config.maxQueuedFrames = 10
        config.peers = [2: PeerAddress(host: "127.0.0.1", port: 1)]  // nothing listens there
        let transport = TCPPeerTransport(config: config)
        let sink = RecordingSink()
        transport.attach(sink)
        _ = try await transport.listen()
        var refused = 0
        for _ in 0..<1000 {
            if !transport.send(.messages([]), to: 2) { refused += 1 }
            #expect(transport.link(to: 2)!.queuedFrameCount <= 10)  // the queue never grows past its bound
        }
        #expect(refused > 0)
        #expect(transport.stats.droppedFrames >= refused)
        #expect(try await waitUntil { sink.unreachableReports > 0 })
        await transport.shutdown()
    }

    /// A snapshot chunk waiting for room in a full queue gives up as soon as its stream is
    /// cancelled, not after `snapshotQueueWait`: before, a stream cancelled because its term
    /// ended still finished queueing its chunk (up to 10 s), and a stopping node waited for it.
    @Test func aCancelledSnapshotChunkStopsWaitingForRoom() async throws {
        // A peer that accepts the connection and never reads: the socket buffers fill, then the queue.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let silent = try await ServerBootstrap(group: group)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).get()
        var config = TCPTransportConfig(clusterID: "test", localNode: 1)
        config.maxQueuedBytes = 1 << 20
        config.snapshotQueueWait = .seconds(60)
        config.peers = [2: PeerAddress(host: "127.0.0.1", port: silent.localAddress!.port!)]
        let transport = TCPPeerTransport(config: config)
        transport.attach(RecordingSink())
        var message = Message(kind: .snapshot, from: 1, to: 2, term: 1)
        message.snapshot = Snapshot(metadata: SnapshotMetadata(index: 10, term: 1, conf: ConfState(voters: [1, 2])))
        let chunk = Frame.snapshotChunk(
            SnapshotChunkFrame(
                message: message, sequence: 0, isLast: false, chunk: [UInt8](repeating: 7, count: 256 << 10)))
        let cancel = SnapshotCancelFlag()
        let progress = SnapshotCancelFlag.Counter()
        let sender = Task.detached {
            // Queues chunks until one has to wait for room (the queue stays full), then waits.
            while transport.sendSnapshotChunk(chunk, to: 2, until: { cancel.isSet }) {
                progress.increment()
                if progress.value > 1_000 { return (sent: true, waitedFor: Duration.zero) }
            }
            return (sent: false, waitedFor: cancel.sinceSet)
        }
        // Wait until the sender is stuck on a full queue: no chunk queued for 500 ms.
        var last = -1
        while progress.value != last {
            last = progress.value
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(last > 0 && last < 1_000, "\(last) chunks queued before the queue filled")
        cancel.set()
        let outcome = await sender.value
        #expect(!outcome.sent)
        #expect(outcome.waitedFor < .seconds(2), "the cancelled chunk waited \(outcome.waitedFor) for room")
        await transport.shutdown()
        try await silent.close()
        try await group.shutdownGracefully()
    }

    private func port(of transport: TCPPeerTransport) async throws -> Int {
        // Every transport in these tests listens on loopback; the address is in its peers' lists.
        transport.listeningPort ?? 0
    }
}

/// A cancel flag for a snapshot sender on another thread, and when it was set.
///
/// `@unchecked Sendable`: `setAt` is read and written only under `lock`.
final class SnapshotCancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var setAt: ContinuousClock.Instant?

    var isSet: Bool { lock.withLock { setAt != nil } }
    /// How long ago `set()` was called (zero before).
    var sinceSet: Duration { lock.withLock { setAt.map { ContinuousClock.now - $0 } ?? .zero } }
    func set() { lock.withLock { setAt = ContinuousClock.now } }

    /// A count shared with the sender (`@unchecked Sendable`: `count` only under `lock`).
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        func increment() { lock.withLock { count += 1 } }
    }
}
