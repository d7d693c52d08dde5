import Foundation
import Raft
import SandboxWire

/// The snapshot chunks this node's full inbox dropped, and which streams it told their leader it
/// abandoned: one `snapshotAbandoned` per stream, not one per chunk the stream still sends.
///
/// `@unchecked Sendable`: `told` and `dropped` are read and written only with `lock` held (the
/// transport's threads call `RaftDriver.receive`; the loop reads the count).
final class SnapshotChunkDrops: @unchecked Sendable {
    private let lock = NSLock()
    /// By peer: the stream (term, snapshot index, number) it was told about, until its next
    /// stream begins.
    private var told: [NodeID: SnapshotNotice] = [:]
    private var dropped: UInt64 = 0

    /// Chunks dropped since the driver started.
    var count: UInt64 { lock.withLock { dropped } }

    /// A chunk from `peer` was `posted` to the inbox or dropped. Returns the notice to send back
    /// when a dropped chunk abandons a stream the peer has not been told about yet. A chunk 0
    /// begins a new stream: the next drop is news again, even with the same term and index.
    func chunk(_ frame: SnapshotChunkFrame, from peer: NodeID, posted: Bool) -> SnapshotNotice? {
        lock.withLock {
            if frame.sequence == 0 { told[peer] = nil }
            guard !posted else { return nil }
            dropped += 1
            let notice = frame.abandoningNotice
            guard told[peer] != notice else { return nil }
            told[peer] = notice
            return notice
        }
    }
}
