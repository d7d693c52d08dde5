import NIOCore
import Raft
import SandboxWire

/// The dialling side of a peer connection reads only the acceptor's answer to its `hello`: a
/// `welcome` from the node it meant to reach (then the link's backoff resets) or a refusal.
final class OutboundPeerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let link: PeerLink

    init(link: PeerLink) {
        self.link = link
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let channel = context.channel
        switch try? Frame(decoding: unwrapInboundIn(data), limits: link.transport.config.wire) {
        case .welcome(let handshake)
        where handshake.clusterID == link.transport.config.clusterID && handshake.node == link.peer:
            if !link.welcomed(handshake) { channel.close(promise: nil) }
        case .refusal(let refusal):
            link.transport.record { $0.lastRefusalReceived = refusal }
            channel.close(promise: nil)
        default:
            // Not the node we dialled, or not the protocol: do not talk to it.
            link.transport.record { $0.badFrames += 1 }
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.channel.close(promise: nil)
    }
}
