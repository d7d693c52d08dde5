import Raft

/// One chunk of a snapshot on its way to a follower. Every chunk carries the Raft `.snapshot`
/// message it belongs to (index, term, membership; a few dozen bytes), so a receiver can start
/// the installation from chunk 0 and hand the message to Raft after the last one.
public struct SnapshotChunkFrame: Sendable, Hashable {
    /// The `.snapshot` message (with `snapshot` set; its `data` empty).
    public var message: Message
    /// 0, 1, 2, ... within this snapshot.
    public var sequence: UInt32
    public var isLast: Bool
    /// One encoded chunk as SandboxStorage's `SnapshotChunk.encoded()` makes it (checksummed).
    public var chunk: [UInt8]

    public init(message: Message, sequence: UInt32, isLast: Bool, chunk: [UInt8]) {
        self.message = message
        self.sequence = sequence
        self.isLast = isLast
        self.chunk = chunk
    }
}
