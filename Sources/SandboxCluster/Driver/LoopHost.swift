/// A thread a driver's loop can run on instead of a thread of its own: the peer transport's
/// event loop (`TCPPeerTransport.makeLoopHost()`), so that the one thread that runs Raft also
/// reads and writes the peers' sockets, and a frame is neither handed from a transport thread to
/// the loop nor from the loop to a transport thread (two wake-ups of a sleeping thread each). The
/// loop's synced writes block the host's thread: a host must be a thread given to the driver
/// alone (with the connections it serves for it), never a pool that runs other work.
///
/// A wake-up is an I/O event of the host's, not a task queued ahead of its I/O: the host polls
/// its sockets between two runs of the loop's pass however often it is woken, so a loop kept
/// busy by proposals still reads its peers' answers and heartbeats.
public protocol LoopHost: AnyObject, Sendable {
    /// Sets the work `wake()` runs (the loop's pass); called once, before the first `wake()`.
    func onWake(_ work: @escaping @Sendable () -> Void)
    /// Has the host run the `onWake` work on its thread at its next poll of its I/O: never
    /// inline, and wake-ups that come before it runs are one run. Never blocks.
    func wake()
    /// Runs `work` on the host's thread once `delay` has passed (or soon after).
    func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void)
    /// On the host's thread, within the loop's pass: writes out now what the pass queued for the
    /// host's connections, which the host would otherwise write only once the pass returns. The
    /// driver calls it before a synced log write blocks the thread, so that the frames Raft sends
    /// at once (a leader's appends to its followers) travel while the leader syncs, not after.
    func flushOutput()
}
