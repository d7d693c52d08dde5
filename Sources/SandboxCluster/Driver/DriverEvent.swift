import Raft
import SandboxWire

/// What other threads hand to the driver's loop.
enum DriverEvent<Result: Sendable>: Sendable {
    case frame(Frame, from: NodeID)
    case propose([UInt8], OnceWaiter<Result>)
    case read(CheckedContinuation<UInt64, any Error>)
    case changeMembership(ConfChange, CheckedContinuation<ConfState, any Error>)
    case transfer(to: NodeID)
    case unreachable(NodeID)
    /// A snapshot stream to a follower ended (`bytes`: the encoded chunks sent).
    case snapshotSent(to: NodeID, failed: Bool, bytes: Int)
    /// The snapshot receiver stored and flushed a stream (or failed to).
    case snapshotReceived(SnapshotReceiver.Outcome)
    /// The apply worker applied committed entries (or failed to).
    case applied(ApplyReport<Result>)
    case stop
}
