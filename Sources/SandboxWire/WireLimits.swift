import Raft

/// Every bound the peer codec enforces, in one place (TigerStyle: a limit on every length).
///
/// A decoder checks each declared length or count against these before it allocates anything,
/// and a count against the bytes actually left, so a hostile frame costs at most its own size.
public struct WireLimits: Sendable, Hashable {
    /// Largest frame body (everything after the 4-byte length prefix). Fits one snapshot chunk
    /// (32 MiB of records at LZ4's worst case) with its header.
    public var maxFrameBytes: Int = 40 << 20
    /// Most Raft messages in one `messages` frame.
    public var maxMessagesPerFrame: Int = 4096
    /// Most entries in one Raft message.
    public var maxEntriesPerMessage: Int = 1 << 16
    /// Largest payload of one entry, proposal or snapshot's inline data.
    public var maxEntryBytes: Int = 4 << 20
    /// Largest ReadIndex context.
    public var maxContextBytes: Int = 1024
    /// Most voters, and most learners, in one membership.
    public var maxMembers: Int = 1024
    /// Most proposals in one forwarded batch.
    public var maxProposalsPerBatch: Int = 4096
    /// Largest result a state machine returns for one proposal.
    public var maxResultBytes: Int = 1 << 20
    /// Largest human-readable text (an error message, a refusal reason).
    public var maxTextBytes: Int = 4096
    /// Longest cluster id.
    public var maxClusterIDBytes: Int = 64
    /// Largest snapshot chunk (SandboxStorage's encoded chunk: 32 MiB at LZ4's worst case plus
    /// its header).
    public var maxSnapshotChunkBytes: Int = (32 << 20) + (32 << 20) / 255 + 1024
    /// Largest whole snapshot a receiver accepts (the sum of its chunks).
    public var maxSnapshotBytes: UInt64 = 8 << 30
    /// Largest term or index on the wire: the storage's bound (2^63 - 1), so `index + 1` never
    /// overflows anywhere.
    public var maxIndex: UInt64 = UInt64(Int64.max)

    public init() {}
}
