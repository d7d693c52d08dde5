import Foundation
import NIOCore
import NIOPosix
import Raft
import SandboxWire

/// The long-lived outbound connection to one peer, with its bounded queue. Frames queue while
/// the link connects; a failed or lost connection drops what was queued, reports the peer
/// unreachable and reconnects after a capped, jittered exponential backoff.
///
/// Frames sent from other threads are coalesced: they collect in `outbox`, and one job on the
/// event loop writes everything collected and flushes once (one `writev` and one event loop
/// wake-up for all the frames a Raft loop iteration sends, not one of each per frame).
///
/// `@unchecked Sendable`: the queue counters, `outbox` and `drainScheduled` are guarded by
/// `condition`; `state`, `waiting`, `backoff` and `random` are touched only on `loop`.
final class PeerLink: @unchecked Sendable {
    let peer: NodeID
    let loop: any EventLoop
    unowned let transport: TCPPeerTransport
    let address: PeerAddress

    private let condition = NSCondition()
    private var queuedFrames = 0
    private var queuedBytes = 0
    /// Frames admitted and not yet handed to the event loop, and whether a job to hand them
    /// over is already scheduled.
    private var outbox: [[UInt8]] = []
    private var drainScheduled = false

    private enum State {
        case idle
        case connecting
        /// Hello sent with this nonce; frames wait until the welcome proves the cluster secret.
        case authenticating(any Channel, nonce: [UInt8])
        case connected(any Channel)
        case retrying
        case closed
    }
    private var state = State.idle
    private var waiting: [[UInt8]] = []
    private var backoff: ReconnectBackoff
    private var random: SplitMix64

    init(peer: NodeID, address: PeerAddress, loop: any EventLoop, transport: TCPPeerTransport) {
        self.peer = peer
        self.address = address
        self.loop = loop
        self.transport = transport
        backoff = transport.config.backoff
        random = SplitMix64(seed: transport.config.seed ^ (peer &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Frames queued and not yet written to the socket.
    var queuedFrameCount: Int { condition.withLock { queuedFrames } }

    /// Queues a frame body; false when the queue is full (the frame is dropped).
    func enqueue(_ body: [UInt8]) -> Bool {
        let admitted: Bool? = condition.withLock {
            guard queuedFrames < transport.config.maxQueuedFrames,
                queuedBytes + body.count <= transport.config.maxQueuedBytes
            else { return nil }
            queuedFrames += 1
            queuedBytes += body.count
            outbox.append(body)
            defer { drainScheduled = true }
            return !drainScheduled
        }
        guard let schedule = admitted else { return false }
        if schedule { loop.execute { self.drain() } }
        return true
    }

    /// Queues a frame body, waiting up to `timeout` for room (snapshot chunks, from their own
    /// thread: back-pressure instead of dropping). The wait is cut into slices of at most
    /// `cancelCheckInterval` and ends, the frame not queued, as soon as `cancelled()` is true: a
    /// cancelled stream stops within a slice, not after the whole `timeout`.
    func enqueueWaiting(_ body: [UInt8], timeout: Duration, cancelled: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        condition.lock()
        while queuedFrames > 0,
            queuedFrames >= transport.config.maxQueuedFrames
                || queuedBytes + body.count > transport.config.maxQueuedBytes
        {
            let now = ContinuousClock.now
            guard now < deadline, !cancelled() else { break }
            let slice = min(deadline - now, Self.cancelCheckInterval)
            _ = condition.wait(until: Date().addingTimeInterval(slice / .seconds(1)))
        }
        condition.unlock()
        return !cancelled() && enqueue(body)
    }

    /// How often a snapshot chunk waiting for room checks whether its stream was cancelled.
    static let cancelCheckInterval: Duration = .milliseconds(20)

    private func release(frames: Int, bytes: Int) {
        condition.withLock {
            queuedFrames -= frames
            queuedBytes -= bytes
            condition.broadcast()
        }
    }

    /// On `loop`, from within other work there (the driver's pass, when the loop hosts it):
    /// writes what `enqueue` collected now, instead of when the job it scheduled runs, after
    /// that work. The job then finds nothing to write.
    func writeCollectedNow() {
        loop.preconditionInEventLoop()
        drain()
    }

    /// On `loop`: takes every frame collected in `outbox` and writes them (or keeps them while
    /// connecting).
    private func drain() {
        let bodies = condition.withLock {
            drainScheduled = false
            defer { outbox = [] }
            return outbox
        }
        guard !bodies.isEmpty else { return }
        switch state {
        case .connected(let channel):
            write(bodies, on: channel)
        case .idle:
            waiting.append(contentsOf: bodies)
            connect()
        case .connecting, .authenticating, .retrying:
            waiting.append(contentsOf: bodies)
        case .closed:
            release(frames: bodies.count, bytes: bodies.reduce(0) { $0 + $1.count })
        }
    }

    /// Writes `bodies` in order and flushes once; their room in the queue is given back when
    /// the last is written (writes complete in order) or the connection fails.
    private func write(_ bodies: [[UInt8]], on channel: any Channel) {
        guard let last = bodies.last else { return }
        for body in bodies.dropLast() { channel.write(channel.allocator.framed(body), promise: nil) }
        let bytes = bodies.reduce(0) { $0 + $1.count }
        channel.writeAndFlush(channel.allocator.framed(last)).whenComplete { _ in
            self.release(frames: bodies.count, bytes: bytes)
        }
    }

    private func connect() {
        state = .connecting
        let hello = Frame.hello(
            Handshake(
                clusterID: transport.config.clusterID, node: transport.config.localNode, peer: peer,
                nonce: transport.authenticator?.nonce() ?? []))
        let config = transport.config
        ClientBootstrap(group: loop)
            .connectTimeout(config.connectTimeout.timeAmount)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try PeerSocket.configure(channel, config)
                    // The acceptor only ever answers the hello: a welcome or a refusal.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: config.handshakeFrameLimit)))
                    try channel.pipeline.syncOperations.addHandler(OutboundPeerHandler(link: self))
                }
            }
            .connect(host: address.host, port: address.port)
            .whenComplete { result in
                switch result {
                case .success(let channel): self.connected(channel, hello: hello)
                case .failure: self.disconnected()
                }
            }
    }

    private func connected(_ channel: any Channel, hello: Frame) {
        guard case .connecting = state else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in self.loop.execute { self.disconnected() } }
        if case .hello(let handshake) = hello, transport.authenticator != nil {
            state = .authenticating(channel, nonce: handshake.nonce)
            send(hello, on: channel)
            channel.flush()
            // A peer that accepts and never welcomes (a host that froze after its kernel took
            // the connection) would hold the frames queued for it, and this link, for good.
            loop.scheduleTask(in: transport.config.handshakeTimeout.timeAmount) {
                guard case .authenticating(let waiting, _) = self.state, waiting === channel else { return }
                self.transport.record { $0.handshakeTimeouts += 1 }
                channel.close(promise: nil)
            }
            return
        }
        state = .connected(channel)
        send(hello, on: channel)
        flushWaiting(on: channel)
    }

    private func send(_ frame: Frame, on channel: any Channel) {
        if let body = try? frame.encoded(limits: transport.config.wire) {
            channel.write(channel.allocator.framed(body), promise: nil)
        }
    }

    private func flushWaiting(on channel: any Channel) {
        let pending = waiting
        waiting = []
        if pending.isEmpty { channel.flush() } else { write(pending, on: channel) }
    }

    /// The peer's `welcome` (its cluster and node already checked). With a cluster secret, its
    /// proof is checked, this node's own proof sent, and only then the waiting frames; false
    /// when the proof is wrong (the caller closes the connection).
    func welcomed(_ welcome: Handshake) -> Bool {
        if case .authenticating(let channel, let nonce) = state, let authenticator = transport.authenticator {
            let config = transport.config
            let expected = HandshakeTranscript.welcome(
                clusterID: config.clusterID, acceptor: peer, dialler: config.localNode, diallerNonce: nonce,
                acceptorNonce: welcome.nonce)
            guard authenticator.isValid(welcome.proof, for: expected) else {
                transport.record { $0.unauthenticatedWelcomes += 1 }
                return false
            }
            let proof = authenticator.code(
                for: HandshakeTranscript.hello(
                    clusterID: config.clusterID, dialler: config.localNode, acceptor: peer,
                    acceptorNonce: welcome.nonce, diallerNonce: nonce))
            state = .connected(channel)
            send(
                .hello(
                    Handshake(
                        clusterID: config.clusterID, node: config.localNode, peer: peer, nonce: nonce, proof: proof)),
                on: channel)
            flushWaiting(on: channel)
        }
        backoff.reset()
        transport.record { $0.welcomes += 1 }
        return true
    }

    private func disconnected() {
        switch state {
        case .closed, .retrying: return
        case .idle, .connecting, .authenticating, .connected: break
        }
        state = .retrying
        let dropped = waiting
        waiting = []
        release(frames: dropped.count, bytes: dropped.reduce(0) { $0 + $1.count })
        if !dropped.isEmpty { transport.record { $0.droppedFrames += dropped.count } }
        transport.peerUnreachable(peer)
        let delay = backoff.nextDelay(using: &random)
        loop.scheduleTask(in: delay.timeAmount) {
            guard case .retrying = self.state else { return }
            self.state = .idle
            if !self.waiting.isEmpty { self.connect() }
        }
    }

    /// Closes the connection for good (the transport is shutting down).
    func close() {
        loop.execute {
            switch self.state {
            case .connected(let channel), .authenticating(let channel, _): channel.close(promise: nil)
            default: break
            }
            self.state = .closed
            let dropped = self.waiting
            self.waiting = []
            self.release(frames: dropped.count, bytes: dropped.reduce(0) { $0 + $1.count })
        }
    }
}
