/// A snapshot of the state machine. Raft only reads the metadata; `data` is opaque and may be
/// empty when the runtime streams the state out of band (see SandboxStorage's snapshot chunks).
public struct Snapshot: Sendable, Hashable {
    public var metadata: SnapshotMetadata
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata = SnapshotMetadata(), data: [UInt8] = []) {
        self.metadata = metadata
        self.data = data
    }

    public var isEmpty: Bool { metadata.index == 0 }
}
