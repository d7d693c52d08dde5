import NIOCore
import Raft
import SandboxWire

/// The accepting side of a peer connection: the handshake (`PeerSession`), then every frame
/// checked and handed to the transport's sink. Anything undecodable or out of protocol closes
/// the connection, except a frame of an unknown kind after the handshake, which is skipped (a
/// newer release's); the node itself is never affected.
///
/// Until the handshake is done the connection counts against `maxPendingHandshakes`, reads
/// frames of at most `maxHandshakeFrameBytes`, and is closed if it is not done within
/// `handshakeTimeout`. After a refusal or a bad frame it reads nothing more: bytes that came
/// in the same burst (another `hello`, Raft frames) are dropped with the connection.
final class InboundPeerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private var session: PeerSession
    private let transport: TCPPeerTransport
    private let limit: FrameLimit
    private var admitted = false
    private var closing = false
    private var deadline: Scheduled<Void>?

    init(session: PeerSession, transport: TCPPeerTransport, limit: FrameLimit) {
        self.session = session
        self.transport = transport
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        guard transport.admitInbound(channel) else {
            closing = true
            channel.close(promise: nil)
            return
        }
        admitted = true
        let transport = self.transport
        deadline = context.eventLoop.scheduleTask(in: transport.config.handshakeTimeout.timeAmount) {
            transport.record { $0.handshakeTimeouts += 1 }
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if admitted { transport.inboundClosed(context.channel) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let body = unwrapInboundIn(data)
        let channel = context.channel
        let frame: Frame
        do {
            frame = try Frame(decoding: body, limits: transport.config.wire)
        } catch .unknownTag(field: "frame kind", value: _) where session.peer != nil {
            // A frame kind of a later release from a peer that passed the handshake (a cluster in
            // a rolling upgrade): skipped and counted, the connection kept. Frames are
            // length-delimited, so the next one is read as usual.
            transport.record { $0.unknownFrames += 1 }
            return
        } catch {
            transport.record { $0.badFrames += 1 }
            close(channel)
            return
        }
        guard let peer = session.peer else {
            if session.awaitsProof {
                if let refusal = session.authenticate(frame) {
                    refuse(refusal, on: channel)
                } else {
                    established(channel)
                }
                return
            }
            switch session.accept(frame) {
            case .success(let welcome):
                write(welcome, to: channel)
                if session.peer != nil { established(channel) }
            case .failure(let refusal): refuse(refusal, on: channel)
            }
            return
        }
        do {
            try session.check(frame)
        } catch {
            transport.record { $0.badFrames += 1 }
            close(channel)
            return
        }
        transport.deliver(frame, from: peer)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is WireError || error is ByteToMessageDecoderError { transport.record { $0.badFrames += 1 } }
        close(context.channel)
    }

    /// The handshake is done: the wire's own frame limit, no deadline, no longer pending.
    private func established(_ channel: any Channel) {
        guard let peer = session.peer else { return }
        deadline?.cancel()
        deadline = nil
        limit.bytes = transport.config.wire.maxFrameBytes
        transport.inboundEstablished(channel, peer: peer)
    }

    private func close(_ channel: any Channel) {
        closing = true
        channel.close(promise: nil)
    }

    private func refuse(_ refusal: HandshakeRefusal, on channel: any Channel) {
        closing = true
        transport.record { $0.refusedHandshakes[refusal.reason, default: 0] += 1 }
        write(.refusal(refusal), to: channel, thenClose: true)
    }

    private func write(_ frame: Frame, to channel: any Channel, thenClose: Bool = false) {
        guard let body = try? frame.encoded(limits: transport.config.wire) else { return }
        let written = channel.writeAndFlush(channel.allocator.framed(body))
        if thenClose { written.whenComplete { _ in channel.close(promise: nil) } }
    }
}
