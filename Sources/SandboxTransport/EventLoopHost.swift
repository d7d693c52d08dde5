import Foundation
import NIOCore
import NIOPosix
import SandboxCluster

#if canImport(Glibc)
    import Glibc
#endif

/// A driver's loop on an event loop (`LoopHost`): the peer transport's, whose one thread then
/// runs Raft and its peers' sockets (`TCPPeerTransport.makeLoopHost()`).
///
/// A wake-up is a byte written to a pipe that the event loop watches beside the sockets (a pipe
/// channel): the pass runs when the loop finds it readable, in the same poll as the sockets. A
/// task queued with `execute` would not do: the event loop runs every task queued, and every task
/// those queue, before it polls again, so a loop that keeps finding proposals would never read
/// its peers' answers. Wake-ups before the pass runs are read as one (all the bytes waiting; a
/// full pipe, which a loop blocked in a long write could leave, drops the byte and is readable
/// anyway).
/// Once the transport closes it (before its event loop shuts down) wake-ups and timers are
/// dropped: the driver stopped before, and a late wake-up (a post that raced the stop) has
/// nothing left to do.
///
/// `@unchecked Sendable`: `descriptor` (the pipe's write end), `channel` and `work` are guarded
/// by `lock`.
final class EventLoopHost: LoopHost, @unchecked Sendable {
    private let loop: any EventLoop
    /// Writes what the transport's links collected (``flushOutput()``).
    private let flush: @Sendable () -> Void
    private let lock = NSLock()
    /// The pipe's write end, -1 once closed (the channel owns the read end).
    private var descriptor: Int32
    private var channel: (any Channel)?
    private var work: (@Sendable () -> Void)?

    private init(loop: any EventLoop, descriptor: Int32, flush: @escaping @Sendable () -> Void) {
        self.loop = loop
        self.descriptor = descriptor
        self.flush = flush
    }

    /// A host on `loop`, the read end of its pipe registered there; `flush` writes out what the
    /// transport's links on `loop` collected.
    static func make(on loop: any EventLoop, flush: @escaping @Sendable () -> Void) async throws -> EventLoopHost {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw IOError(errnoCode: errno, reason: "pipe") }
        for end in ends {  // NIO makes the read end non-blocking too; a full pipe drops the byte
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        let host = EventLoopHost(loop: loop, descriptor: ends[1], flush: flush)
        do {
            let channel = try await NIOPipeBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(WakeHandler(host: host))
                    }
                }
                .takingOwnershipOfDescriptor(input: ends[0]).get()
            host.lock.withLock { host.channel = channel }
        } catch {
            _ = Glibc.close(ends[0])
            _ = Glibc.close(ends[1])
            throw error
        }
        return host
    }

    func onWake(_ work: @escaping @Sendable () -> Void) {
        lock.withLock { self.work = work }
    }

    func wake() {
        lock.withLock {
            guard descriptor >= 0 else { return }
            var byte: UInt8 = 1
            while Glibc.write(descriptor, &byte, 1) < 0, errno == EINTR {}
        }
    }

    func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        lock.withLock {
            if descriptor >= 0 { loop.scheduleTask(in: delay.timeAmount, work) }
        }
    }

    func flushOutput() {
        loop.preconditionInEventLoop()
        flush()
    }

    /// On the loop, when the pipe was readable.
    fileprivate func woke() {
        lock.withLock { work }?()
    }

    /// Drops every later wake-up and timer, and closes the pipe.
    func close() {
        let channel: (any Channel)? = lock.withLock {
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = -1
            defer { self.channel = nil }
            return self.channel
        }
        channel?.close(promise: nil)
    }
}

/// Reads the host's pipe (every byte waiting) and runs the pass once per poll that found it
/// readable.
private final class WakeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let host: EventLoopHost

    init(host: EventLoopHost) {
        self.host = host
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelReadComplete(context: ChannelHandlerContext) {
        host.woke()
    }
}
