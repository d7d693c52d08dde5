import Raft
import SandboxWire

/// How a driver reaches its peers. Implementations never block the caller: `send` queues the
/// frame (bounded, per peer) and returns at once.
public protocol PeerTransport: AnyObject, Sendable {
    /// Queues `frame` for `peer`; false when it was dropped (the peer's queue is full or the
    /// peer is unknown). The driver reports a dropped Raft message to Raft as unreachable.
    func send(_ frame: Frame, to peer: NodeID) -> Bool

    /// Queues a snapshot chunk, waiting (bounded) for room when the queue is full: called from a
    /// snapshot's own sending thread, so back-pressure rather than a drop. False, the chunk not
    /// queued, when it was dropped or `cancelled()` turned true while it waited: a cancelled
    /// stream stops promptly, not once its chunk found room.
    func sendSnapshotChunk(_ frame: Frame, to peer: NodeID, until cancelled: () -> Bool) -> Bool
}

extension PeerTransport {
    public func sendSnapshotChunk(_ frame: Frame, to peer: NodeID, until cancelled: () -> Bool) -> Bool {
        !cancelled() && send(frame, to: peer)
    }
}

/// Where a transport delivers the frames it receives (the driver).
public protocol FrameSink: AnyObject, Sendable {
    /// Hands over a frame from an authenticated peer; never blocks.
    func receive(_ frame: Frame, from peer: NodeID)
    /// The transport lost its connection to `peer` or dropped frames for it.
    func reportUnreachable(_ peer: NodeID)
}
