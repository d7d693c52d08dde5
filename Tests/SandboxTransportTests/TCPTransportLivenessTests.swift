import Foundation
import NIOCore
import NIOPosix
import Raft
import SandboxCluster
import SandboxWire
import Testing

@testable import SandboxTransport

/// What bounds a peer connection that does not behave: a stranger that connects and sends
/// nothing, or a huge frame before its hello, or more connections than the node will wait on;
/// a peer that accepts and never welcomes; bytes after a refusal; a member removed while its
/// connection is open; and the kernel's own liveness checks on every connection.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TCPTransportLivenessTests {
    /// Node 2 of a cluster "test" of nodes 1 and 2, listening, with `adjust` applied to its config.
    func listener(_ adjust: (inout TCPTransportConfig) -> Void = { _ in }) async throws -> (TCPPeerTransport, Int) {
        var config = TCPTransportConfig(clusterID: "test", localNode: 2)
        config.peers = [1: PeerAddress(host: "127.0.0.1", port: 1)]
        adjust(&config)
        let transport = TCPPeerTransport(config: config)
        return (transport, try await transport.listen())
    }

    func raw(_ group: MultiThreadedEventLoopGroup, _ port: Int) async throws -> any Channel {
        try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
    }

    @Test func aConnectionThatNeverFinishesItsHandshakeIsClosed() async throws {
        // Long enough that a loaded machine sends the half frame and the hello below in time.
        let (node, port) = try await listener { $0.handshakeTimeout = .seconds(1) }
        let sink = RecordingSink()
        node.attach(sink)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let silent = try await raw(group, port)
        // Half a frame: a length prefix and a few of its bytes, then nothing.
        let partial = try await raw(group, port)
        var bytes = partial.allocator.buffer(capacity: 8)
        bytes.writeInteger(UInt32(100))
        bytes.writeBytes([WireFormat.version, 1, 2])
        try await partial.writeAndFlush(bytes).get()
        #expect(try await waitUntil(.seconds(5)) { !silent.isActive && !partial.isActive })
        #expect(node.stats.handshakeTimeouts == 2)
        // A hello in time is not timed out, however long the connection then stays.
        let good = try await raw(group, port)
        try await good.writeAndFlush(
            good.allocator.framed(try Frame.hello(Handshake(clusterID: "test", node: 1, peer: 2)).encoded())
                as ByteBuffer
        ).get()
        try await Task.sleep(for: .milliseconds(1_500))  // past the timeout
        #expect(good.isActive && node.stats.handshakeTimeouts == 2)
        try await good.writeAndFlush(
            good.allocator.framed(try Frame.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 3)]).encoded())
                as ByteBuffer
        ).get()
        #expect(try await waitUntil { sink.received.count == 1 })
        try? await good.close()
        try await group.shutdownGracefully()
        await node.shutdown()
    }

    /// Before its hello a connection reads frames of at most `maxHandshakeFrameBytes`: a length
    /// prefix of 1 MiB (well within the 40 MiB the wire allows after the handshake) closes it
    /// at once, before its bytes are buffered.
    @Test func aLargeFrameBeforeTheHandshakeClosesTheConnection() async throws {
        let (node, port) = try await listener()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await raw(group, port)
        var bytes = channel.allocator.buffer(capacity: 4)
        bytes.writeInteger(UInt32(1 << 20))
        try await channel.writeAndFlush(bytes).get()
        #expect(try await waitUntil(.seconds(5)) { !channel.isActive })
        #expect(node.stats.badFrames == 1 && node.stats.handshakeTimeouts == 0)
        try await group.shutdownGracefully()
        await node.shutdown()
    }

    @Test func connectionsWaitingForTheirHandshakeAreCapped() async throws {
        let (node, port) = try await listener { $0.maxPendingHandshakes = 3 }
        let sink = RecordingSink()
        node.attach(sink)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var waiting: [any Channel] = []
        for _ in 0..<3 { waiting.append(try await raw(group, port)) }
        let oneMore = try await raw(group, port)
        #expect(try await waitUntil(.seconds(5)) { !oneMore.isActive })
        #expect(node.stats.pendingHandshakesOverLimit == 1)
        let allOpen = waiting.allSatisfy { $0.isActive }
        #expect(allOpen)
        // Their room comes back as they go: a peer then gets in and is heard.
        for channel in waiting { try await channel.close() }
        var delivered = false
        for attempt in 0..<50 where !delivered {
            let peer = try await raw(group, port)
            try await peer.writeAndFlush(
                peer.allocator.framed(try Frame.hello(Handshake(clusterID: "test", node: 1, peer: 2)).encoded())
                    as ByteBuffer
            ).get()
            try? await peer.writeAndFlush(
                peer.allocator.framed(
                    try Frame.messages([Message(kind: .heartbeat, from: 1, to: 2, term: UInt64(attempt))]).encoded())
                    as ByteBuffer
            ).get()
            delivered = try await waitUntil(.milliseconds(200)) { !sink.received.isEmpty }
            try? await peer.close()
        }
        #expect(delivered)
        try await group.shutdownGracefully()
        await node.shutdown()
    }

    /// A refused hello, a good one and a Raft frame in one burst: the connection reads nothing
    /// after the refusal.
    @Test func nothingIsReadAfterARefusal() async throws {
        let (node, port) = try await listener()
        let sink = RecordingSink()
        node.attach(sink)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await raw(group, port)
        var burst = channel.allocator.buffer(capacity: 256)
        for frame in [
            Frame.hello(Handshake(clusterID: "elsewhere", node: 1, peer: 2)),
            Frame.hello(Handshake(clusterID: "test", node: 1, peer: 2)),
            Frame.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 1)]),
        ] {
            var framed = channel.allocator.framed(try frame.encoded())
            burst.writeBuffer(&framed)
        }
        try await channel.writeAndFlush(burst).get()
        #expect(try await waitUntil(.seconds(5)) { !channel.isActive })
        try await Task.sleep(for: .milliseconds(200))
        #expect(sink.received.isEmpty)
        #expect(node.stats.refusedHandshakes == [.foreignCluster: 1])
        try await group.shutdownGracefully()
        await node.shutdown()
    }

    /// With a cluster secret a dialler waits for the welcome's proof before it sends anything:
    /// a peer that accepts and never answers is closed after `handshakeTimeout` and dialled again.
    @Test func aDiallerWhoseWelcomeNeverComesDialsAgain() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = SnapshotCancelFlag.Counter()
        let mute = try await ServerBootstrap(group: group)
            .childChannelInitializer { _ in
                accepted.increment()
                return group.next().makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var config = TCPTransportConfig(clusterID: "test", localNode: 1)
        config.peers = [2: PeerAddress(host: "127.0.0.1", port: mute.localAddress?.port ?? 0)]
        config.clusterSecret = Array("the cluster secret".utf8)
        config.handshakeTimeout = .milliseconds(300)
        config.backoff = ReconnectBackoff(initial: .milliseconds(10), maximum: .milliseconds(50))
        let dialler = TCPPeerTransport(config: config)
        let sink = RecordingSink()
        dialler.attach(sink)
        _ = try await dialler.listen()
        // The link dials when it has frames to send (Raft sends a heartbeat every tick).
        var term: UInt64 = 0
        let redialled = try await waitUntil(.seconds(10)) {
            term += 1
            _ = dialler.send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: term)]), to: 2)
            return accepted.value >= 2 && dialler.stats.handshakeTimeouts >= 1
        }
        #expect(redialled)
        #expect(sink.unreachableReports >= 1, "the peer is reported unreachable when its link gives up")
        await dialler.shutdown()
        try await mute.close()
        try await group.shutdownGracefully()
    }

    /// A member removed while its connection is open delivers nothing more over it.
    @Test func aRemovedMembersConnectionIsClosed() async throws {
        var configs: [TCPPeerTransport] = []
        var addresses: [NodeID: PeerAddress] = [:]
        for id in [1, 2] as [NodeID] {
            let transport = TCPPeerTransport(config: TCPTransportConfig(clusterID: "test", localNode: id))
            addresses[id] = PeerAddress(host: "127.0.0.1", port: try await transport.listen())
            configs.append(transport)
        }
        for transport in configs { transport.setPeers(addresses) }
        let (one, two) = (configs[0], configs[1])
        let sinkOne = RecordingSink()
        let sinkTwo = RecordingSink()
        one.attach(sinkOne)
        two.attach(sinkTwo)
        #expect(one.send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 1)]), to: 2))
        #expect(try await waitUntil { sinkTwo.received.count == 1 })
        two.setPeers([2: addresses[2]!])  // node 1 removed
        #expect(try await waitUntil { sinkOne.unreachableReports >= 1 }, "node 1's link sees its connection end")
        #expect(two.stats.removedPeerConnections == 1)
        // Node 1 dials again and is refused: it is not a member any more.
        _ = one.send(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 2)]), to: 2)
        #expect(try await waitUntil { two.stats.refusedHandshakes[.unknownNode, default: 0] >= 1 })
        #expect(sinkTwo.received.count == 1)
        for transport in configs { await transport.shutdown() }
    }

    /// Every peer connection asks the kernel to check its peer: keepalive, and a bound on how
    /// long sent bytes may stay unacknowledged.
    @Test func peerSocketsGetTheKernelsLivenessChecks() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                var config = TCPTransportConfig(clusterID: "test", localNode: 1)
                config.unacknowledgedTimeout = .milliseconds(7_500)
                config.keepaliveIdle = .seconds(11)
                return channel.eventLoop.makeCompletedFuture { try PeerSocket.configure(channel, config) }
            }
            .connect(host: "127.0.0.1", port: server.localAddress?.port ?? 0).get()
        #expect(try await channel.getOption(ChannelOptions.socketOption(.so_keepalive)).get() != 0)
        #if os(Linux)
            #expect(try await channel.getOption(PeerSocket.tcp(TCP_USER_TIMEOUT)).get() == 7_500)
            #expect(try await channel.getOption(PeerSocket.tcp(TCP_KEEPIDLE)).get() == 11)
            #expect(try await channel.getOption(PeerSocket.tcp(TCP_KEEPCNT)).get() == 3)
        #endif
        try await channel.close()
        try await server.close()
        try await group.shutdownGracefully()
    }
}
