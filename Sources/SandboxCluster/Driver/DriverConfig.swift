import Foundation
import Logging
import Raft
import SandboxWire

/// How a driver runs its node: times, queue bounds and compaction. Every queue has a limit.
public struct DriverConfig: Sendable {
    /// The Raft settings (`raft.applied` is taken from the state machine at start).
    public var raft: RaftConfig
    /// Seed of the election timeout jitter (draw it from the system generator in production).
    public var seed: UInt64
    /// How long a Raft tick is: with `raft.electionTicks = 10`, elections start after 0.5-1 s.
    public var tickInterval: Duration = .milliseconds(50)
    /// How long a proposal may wait, from arrival to being applied, before it is answered with
    /// `ClusterError.unknownOutcome` (or `notApplied` if it never left this node).
    public var proposalTimeout: Duration = .seconds(5)
    /// How long a membership change may wait to be applied before it is answered with
    /// `ClusterError.unknownOutcome` (one replaced by a later leader's entry is answered
    /// `notApplied` as soon as that entry is applied).
    public var membershipChangeTimeout: Duration = .seconds(30)
    /// How long a ReadIndex read may wait.
    public var readTimeout: Duration = .seconds(5)
    /// Most events (messages, proposals, reads) waiting for the loop; beyond it proposals are
    /// refused with `overloaded` and Raft messages dropped (Raft retries).
    public var maxInboxEvents: Int = 65_536
    /// Most proposals waiting on this node at once (queued, forwarded or appended; a direct
    /// forward counts the loop's as of its last tick).
    public var maxWaitingProposals: Int = 65_536
    /// Most proposals a follower forwards straight from the proposing threads, one frame each,
    /// that wait for their outcomes at once; beyond it the loop forwards them in batches (one
    /// frame per loop iteration each way), which keeps the frames per peer link far below its
    /// bound (`TCPTransportConfig.maxQueuedFrames`, 4,096) at any load.
    public var maxDirectForwards: Int = 256
    /// Most bytes of Raft messages packed into one frame (one message may exceed it alone).
    public var maxFrameMessageBytes: Int = 8 << 20
    /// Compact the log once it holds this many applied entries...
    public var compactionThreshold: UInt64 = 20_000
    /// ...keeping this many behind the applied index for slow followers.
    public var compactionRetain: UInt64 = 5_000
    /// After a snapshot's last chunk went to a follower, how long the log is kept from being
    /// compacted past it (and no other snapshot sent to that follower) while it installs it,
    /// unless the follower acknowledges it first (`SnapshotTransfers`).
    public var snapshotInstallTimeout: Duration = .seconds(30)
    /// After a transfer to a follower failed or was lost (the follower unreachable while it
    /// streamed or installed), how long before the next stream to it starts: this, doubled
    /// after each further loss up to `snapshotRetryMaxDelay`, and ended early by any frame from
    /// that follower (it is back). A member that stays down costs a snapshot read per wait,
    /// not one per reconnect attempt (`SnapshotRetries`).
    public var snapshotRetryDelay: Duration = .milliseconds(250)
    public var snapshotRetryMaxDelay: Duration = .seconds(8)

    /// Raft's snapshot timeout (`RaftConfig.snapshotTimeoutTicks`, unless set there):
    /// `snapshotInstallTimeout` in ticks. The default, one election timeout, is far shorter than
    /// a large snapshot's stream and install; Raft then took the snapshot as lost and probed the
    /// follower on each heartbeat answer, reading a message of entries on the loop every time.
    var snapshotTimeoutTicks: Int {
        max(1, Int((snapshotInstallTimeout / tickInterval).rounded(.up)))
    }
    /// Most chunks of an incoming snapshot stream (about 1 MiB of records each) queued for the
    /// thread that stores them (`SnapshotReceiver`). When the queue is full the loop waits for
    /// room, and reads no peer socket meanwhile (on a `LoopHost`), so the leader's stream slows
    /// to what this node stores; after `snapshotChunkWait` it abandons the stream and tells the
    /// leader, as for a chunk the full inbox dropped.
    public var maxQueuedSnapshotChunks: Int = 16
    public var snapshotChunkWait: Duration = .seconds(10)
    /// Limits of the peer codec (frames are checked against them before they are sent).
    public var wire = WireLimits()
    /// The monotonic clock behind ticks and every deadline (`ContinuousClock`: a change of the
    /// wall clock moves none of them). Tests inject a clock that jumps.
    public var clock: @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    /// The wall time (milliseconds since the epoch) the leader stamps on the commands it
    /// proposes (`ReplicatedStateMachine.stamp`). Tests inject skewed clocks.
    public var wallClockMillis: @Sendable () -> UInt64 = { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }
    /// Where the driver logs what a reader of a node's log needs to follow its snapshot
    /// transfers (stream start and end, holds, losses, installs); no secrets.
    public var logger = Logger(label: "sandbox.cluster")
    /// Mutations and faults for tests only.
    @_spi(Testing) public var seam = DriverTestSeam()

    public init(raft: RaftConfig, seed: UInt64) {
        self.raft = raft
        self.seed = seed
    }
}
