import NIOCore
import Raft
import SandboxWire

/// The accepting side of a peer connection: the handshake (`PeerSession`), then every frame
/// checked and handed to the transport's sink. Anything undecodable or out of protocol closes
/// the connection, except a frame of an unknown kind after the handshake, which is skipped (a
/// newer release's); the node itself is never affected.
final class InboundPeerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private var session: PeerSession
    private let transport: TCPPeerTransport

    init(session: PeerSession, transport: TCPPeerTransport) {
        self.session = session
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
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
            channel.close(promise: nil)
            return
        }
        guard let peer = session.peer else {
            if session.awaitsProof {
                if let refusal = session.authenticate(frame) { refuse(refusal, on: channel) }
                return
            }
            switch session.accept(frame) {
            case .success(let welcome): write(welcome, to: channel)
            case .failure(let refusal): refuse(refusal, on: channel)
            }
            return
        }
        do {
            try session.check(frame)
        } catch {
            transport.record { $0.badFrames += 1 }
            channel.close(promise: nil)
            return
        }
        transport.deliver(frame, from: peer)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is WireError || error is ByteToMessageDecoderError { transport.record { $0.badFrames += 1 } }
        context.channel.close(promise: nil)
    }

    private func refuse(_ refusal: HandshakeRefusal, on channel: any Channel) {
        transport.record { $0.refusedHandshakes[refusal.reason, default: 0] += 1 }
        write(.refusal(refusal), to: channel, thenClose: true)
    }

    private func write(_ frame: Frame, to channel: any Channel, thenClose: Bool = false) {
        guard let body = try? frame.encoded(limits: transport.config.wire) else { return }
        let written = channel.writeAndFlush(channel.allocator.framed(body))
        if thenClose { written.whenComplete { _ in channel.close(promise: nil) } }
    }
}
