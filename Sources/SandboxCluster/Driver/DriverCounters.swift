/// What a driver counts since it started, published with its status (the node's metrics are
/// sampled from them).
public struct DriverCounters: Sendable, Hashable {
    /// Log writes (entries and hard state, one write each) and the entries they carried: with
    /// group commit, far fewer writes than entries under concurrent load.
    public var logWrites: UInt64 = 0
    /// Those of `logWrites` that waited for the disk (fdatasync): every write with entries or a
    /// new term or vote (a hard state that only moves the commit index is not written).
    public var syncedLogWrites: UInt64 = 0
    /// The time spent in those synced writes, in total (divided by `syncedLogWrites`: the mean
    /// sync latency).
    public var syncedWriteTime: Duration = .zero
    public var entriesWritten: UInt64 = 0
    /// Committed entries handed to the apply thread before a log write of later entries in the
    /// same `Ready` (`Ready.durableCommittedCount`): applied while the write syncs, not after it.
    public var entriesHandedOutBeforeWrite: UInt64 = 0
    /// Flushes of the state the loop started because a compaction was due past the state's
    /// durable applied index (`StateStore.flushInBackground`).
    public var stateFlushesStarted: UInt64 = 0
    /// Snapshot streams to followers that sent every chunk, that failed, and the encoded bytes
    /// they sent.
    public var snapshotsSent: UInt64 = 0
    public var snapshotsFailed: UInt64 = 0
    public var snapshotBytesSent: UInt64 = 0
    /// Snapshot transfers the follower reported abandoned or refused (`snapshotAbandoned`: its
    /// full inbox dropped a chunk, a chunk it could not install, a snapshot it does not take, its
    /// size cap): each is over at once and streams again after the retry wait.
    public var snapshotsAbandoned: UInt64 = 0
    /// Snapshot streams from a leader this node refused at chunk 0 or could not install (a damaged
    /// chunk, a storage error, its size cap), each told to the leader once.
    public var snapshotStreamsRefused: UInt64 = 0
    /// Snapshots received from a leader and installed here.
    public var snapshotsInstalled: UInt64 = 0
    /// Snapshot chunks from a leader this node's full inbox dropped (each abandons its stream;
    /// the leader is told once per stream).
    public var snapshotChunksDropped: UInt64 = 0
    /// The times another thread woke the loop (a post that signalled its inbox), and those of
    /// them by the apply worker's routine reports, which wake it only when something waits for
    /// them (`RaftDriver.awaitsApplyReports`).
    public var loopWakeUps: UInt64 = 0
    public var applyReportWakeUps: UInt64 = 0
    /// Proposals a follower forwarded to its leader straight from the proposing thread, without
    /// the loop (`ForwardedBatches`); those the loop forwarded are not counted.
    public var proposalsForwardedDirectly: UInt64 = 0

    public init() {}
}
