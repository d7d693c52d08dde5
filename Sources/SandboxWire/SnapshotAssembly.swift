import Raft

/// Follows the chunks of one incoming snapshot: in sequence, all of one snapshot, within the
/// total-size cap. A pure check; the runtime feeds the chunks to the storage's installer.
public struct SnapshotAssembly: Sendable {
    /// What the runtime should do with an accepted chunk.
    public enum Step: Sendable, Hashable {
        /// Chunk 0: abandon any installation in progress and begin one for this snapshot.
        case begin
        /// A middle chunk of the snapshot being installed.
        case add
    }

    public let maxTotalBytes: UInt64
    /// The snapshot being received (index, term), and the next sequence number expected.
    public private(set) var current: (index: UInt64, term: UInt64, next: UInt32)?
    public private(set) var totalBytes: UInt64 = 0

    public init(maxTotalBytes: UInt64 = WireLimits().maxSnapshotBytes) {
        self.maxTotalBytes = maxTotalBytes
    }

    /// Accepts the next chunk or throws why it cannot be installed (the runtime then abandons the
    /// installation and reports the snapshot failed). After the last chunk, the assembly is idle.
    public mutating func accept(_ frame: SnapshotChunkFrame) throws(WireError) -> Step {
        let metadata = frame.message.snapshot?.metadata ?? SnapshotMetadata()
        let step: Step
        if frame.sequence == 0 {
            current = (metadata.index, metadata.term, 0)
            totalBytes = 0
            step = .begin
        } else {
            guard let current, current.index == metadata.index, current.term == metadata.term else {
                self.current = nil
                throw .invalidValue(field: "snapshot chunk", reason: "belongs to no snapshot being received")
            }
            guard frame.sequence == current.next else {
                self.current = nil
                throw .invalidValue(
                    field: "snapshot chunk sequence", reason: "is \(frame.sequence), expected \(current.next)")
            }
            step = .add
        }
        totalBytes += UInt64(frame.chunk.count)
        guard totalBytes <= maxTotalBytes else {
            current = nil
            throw .limitExceeded(field: "snapshot size", value: totalBytes, limit: maxTotalBytes)
        }
        let (next, overflow) = frame.sequence.addingReportingOverflow(1)
        guard frame.isLast || !overflow else {
            current = nil
            throw .limitExceeded(field: "snapshot chunk count", value: UInt64(next), limit: UInt64(UInt32.max))
        }
        current = frame.isLast ? nil : (metadata.index, metadata.term, next)
        return step
    }
}
