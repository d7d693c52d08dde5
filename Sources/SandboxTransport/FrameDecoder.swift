import NIOCore
import SandboxWire

/// Splits the byte stream into frame bodies: a 4-byte big-endian length, then that many bytes.
/// A length over the limit closes the connection before anything is buffered for it (a
/// generic length-field decoder would buffer up to 4 GiB on a hostile prefix).
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    /// The current bound; the inbound handler raises it once the handshake is done.
    let limit: FrameLimit

    init(limit: FrameLimit) { self.limit = limit }

    init(maxFrameBytes: Int) { limit = FrameLimit(maxFrameBytes) }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        let maxFrameBytes = limit.bytes
        guard Int(length) <= maxFrameBytes else {
            throw WireError.limitExceeded(field: "frame", value: UInt64(length), limit: UInt64(maxFrameBytes))
        }
        guard buffer.readableBytes >= WireFormat.lengthPrefixBytes + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: WireFormat.lengthPrefixBytes)
        let body = buffer.readBytes(length: Int(length)) ?? []
        context.fireChannelRead(wrapInboundOut(body))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// A connection's frame bound, shared by its decoder and its handler on the connection's event
/// loop (only there: not `Sendable`): small until the handshake is done, then the wire's.
final class FrameLimit {
    var bytes: Int

    init(_ bytes: Int) { self.bytes = bytes }
}

extension ByteBufferAllocator {
    /// A frame body with its length prefix.
    func framed(_ body: [UInt8]) -> ByteBuffer {
        var buffer = self.buffer(capacity: WireFormat.lengthPrefixBytes + body.count)
        buffer.writeInteger(UInt32(body.count))
        buffer.writeBytes(body)
        return buffer
    }
}
