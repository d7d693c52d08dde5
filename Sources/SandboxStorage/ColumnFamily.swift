/// The column families of a node's database (docs/storage.md, "On-disk layout").
enum ColumnFamily: Int, CaseIterable, Sendable {
    /// RocksDB's mandatory family; holds only the format marker.
    case meta
    /// Raft log: 8-byte big-endian index -> checksummed entry record.
    case raftLog
    /// Hard state, membership, snapshot metadata, and which state family is active.
    case raftState
    /// State machine keys, slot A. One of the two slots is active; the other receives snapshot
    /// installations and is switched in with one atomic write.
    case stateA
    /// State machine keys, slot B.
    case stateB

    var name: String {
        switch self {
        case .meta: return "default"
        case .raftLog: return "raft_log"
        case .raftState: return "raft_state"
        case .stateA: return "state_a"
        case .stateB: return "state_b"
        }
    }

    var isState: Bool { self == .stateA || self == .stateB }
}
