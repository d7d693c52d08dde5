import Foundation
import NIOCore
import SandboxCluster

/// A driver's loop on an event loop (`LoopHost`): the peer transport's, whose one thread then
/// runs Raft and its peers' sockets (`TCPPeerTransport.loopHost`). Once the transport closes it
/// (before its event loop shuts down), work is dropped instead of scheduled on a loop that is
/// gone: the driver stopped before, and a late wake-up (a post that raced the stop) has nothing
/// left to do.
///
/// `@unchecked Sendable`: `closed` is guarded by `lock`.
final class EventLoopHost: LoopHost, @unchecked Sendable {
    private let loop: any EventLoop
    private let lock = NSLock()
    private var closed = false

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func execute(_ work: @escaping @Sendable () -> Void) {
        lock.withLock { if !closed { loop.execute(work) } }
    }

    func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        lock.withLock { if !closed { loop.scheduleTask(in: delay.timeAmount, work) } }
    }

    func close() {
        lock.withLock { closed = true }
    }
}
