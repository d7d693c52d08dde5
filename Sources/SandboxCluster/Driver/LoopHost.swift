/// A serial executor a driver's loop can run on instead of a thread of its own: the peer
/// transport's event loop (`TCPPeerTransport.loopHost`), so that the one thread that runs Raft
/// also reads and writes the peers' sockets, and a frame is neither handed from a transport
/// thread to the loop nor from the loop to a transport thread (two wake-ups of a sleeping thread
/// each). The loop's synced writes block the host's thread: a host must be a thread given to the
/// driver alone (with the connections it serves for it), never a pool that runs other work.
public protocol LoopHost: AnyObject, Sendable {
    /// Runs `work` on the host's thread after the work already queued; never blocks, and never
    /// runs `work` before returning.
    func execute(_ work: @escaping @Sendable () -> Void)
    /// Runs `work` on the host's thread once `delay` has passed (or soon after).
    func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void)
}
