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
/// Should the pipe's channel fail or close while the host is open (a read error: nothing this
/// process does causes one), wake-ups go on as tasks scheduled ``fallbackDelay`` ahead, one at
/// a time, rather than leaving the driver to its ticks; ``lostPipe`` says so. Not a task for
/// now: the event loop runs every task whose time has come before it polls again, so passes that
/// wake the loop again would never let it read the peers' answers. A pass's own wake-up comes
/// at its end, so the next pass waits for a poll; one asked for during a pass longer than the
/// delay may follow it at once, and its own wake-up then waits. Slower than the pipe (up to the
/// delay per wake-up), and only a fallback.
///
/// `@unchecked Sendable`: `descriptor` (the pipe's write end), `closed`, `lostPipe`,
/// `wakePending`, `channel` and `work` are guarded by `lock`.
final class EventLoopHost: LoopHost, @unchecked Sendable {
    private let loop: any EventLoop
    /// Writes what the transport's links collected (``flushOutput()``).
    private let flush: @Sendable () -> Void
    private let lock = NSLock()
    /// The pipe's write end, -1 once closed (the channel owns the read end).
    private var descriptor: Int32
    private var closed = false
    private var lostPipeReason: String?
    /// With the pipe lost: a wake-up task is scheduled and has not run yet.
    private var wakePending = false
    /// With the pipe lost: how far ahead a wake-up's task is scheduled.
    static let fallbackDelay: Duration = .milliseconds(1)
    private var channel: (any Channel)?
    private var work: (@Sendable () -> Void)?

    private init(loop: any EventLoop, descriptor: Int32, flush: @escaping @Sendable () -> Void) {
        self.loop = loop
        self.descriptor = descriptor
        self.flush = flush
    }

    /// Why the pipe was lost, if it was (wake-ups then go as scheduled tasks).
    var lostPipe: String? { lock.withLock { lostPipeReason } }

    /// The pipe's channel, for tests that break it.
    var pipeChannel: (any Channel)? { lock.withLock { channel } }

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
            guard !closed else { return }
            if descriptor >= 0 {
                var byte: UInt8 = 1
                while Glibc.write(descriptor, &byte, 1) < 0, errno == EINTR {}
            } else if !wakePending {
                wakePending = true
                loop.scheduleTask(in: Self.fallbackDelay.timeAmount) { [self] in
                    lock.withLock { wakePending = false }
                    woke()
                }
            }
        }
    }

    func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        lock.withLock {
            if !closed { loop.scheduleTask(in: delay.timeAmount, work) }
        }
    }

    func flushOutput() {
        loop.preconditionInEventLoop()
        flush()
    }

    /// On the loop, when the pipe was readable.
    fileprivate func woke() {
        lock.withLock { closed ? nil : work }?()
    }

    /// On the loop: the pipe's channel failed or closed. Unless the host was closed, wake-ups
    /// go on as scheduled tasks, and one is scheduled now for any byte the pipe still held.
    fileprivate func pipeLost(_ reason: String) {
        let lost: Bool = lock.withLock {
            guard !closed, descriptor >= 0 else { return false }
            _ = Glibc.close(descriptor)
            descriptor = -1
            lostPipeReason = reason
            channel = nil
            return true
        }
        if lost { wake() }
    }

    /// Drops every later wake-up and timer, and closes the pipe.
    func close() {
        let channel: (any Channel)? = lock.withLock {
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = -1
            closed = true
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

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        host.pipeLost("the wake-up pipe failed: \(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        host.pipeLost("the wake-up pipe closed")
    }
}
