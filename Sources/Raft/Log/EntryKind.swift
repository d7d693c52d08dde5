/// What a log entry carries.
public enum EntryKind: UInt8, Sendable, Hashable {
    /// An application command, opaque to Raft.
    case normal = 0
    /// A membership change (encoded `ConfChange`).
    case configChange = 1
}
