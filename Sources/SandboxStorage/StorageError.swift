/// Everything SandboxStorage reports. Messages name what failed and what to do about it.
///
/// What the Raft storage contract refuses is thrown as Raft's own `RaftStorageError` (positions
/// that are compacted or unavailable, gaps, term regressions, changes to committed entries, a
/// commit beyond the log, compaction beyond the applied index, snapshots out of date or whose
/// state is missing, indices beyond 2^63 − 1): the same errors `MemoryLogStorage` throws, so the
/// core can match on them and a runtime tested on one store meets the same refusals on the other.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// RocksDB returned an error; `message` is RocksDB's own text.
    case rocksDB(operation: String, message: String)
    /// The storage was closed; the call did nothing.
    case closed
    /// A log entry failed verification (checksum, format, or position). The log store refuses
    /// every further call until the node is repaired (see docs/storage.md, "Corruption").
    case corruptEntry(index: UInt64, reason: String)
    /// A metadata record (hard state, membership, snapshot metadata, applied index) failed
    /// verification.
    case corruptRecord(name: String, reason: String)
    /// The log on disk is not contiguous or disagrees with its metadata.
    case inconsistentLog(String)
    /// The database was written by an unknown format version.
    case unsupportedFormat(found: UInt8, supported: UInt8)
    /// A key or value exceeds the store's limits.
    case tooLarge(what: String, size: Int, limit: Int)
    /// A snapshot chunk failed validation (checksum, order, or belongs to another snapshot).
    case invalidSnapshotChunk(String)
    /// `bootstrap` on a node that already has a log, state or hard state.
    case alreadyInitialized(String)
    /// A snapshot installation is already running on this node.
    case installInProgress
    /// The installation was finished or abandoned already, or is not complete yet.
    case installNotReady(String)
    /// The file system holding the database at `path` has less free space than the node needs
    /// to write safely (`StorageOptions.minimumFreeBytes`); nothing was opened or written.
    case diskFull(path: String, availableBytes: UInt64, requiredBytes: UInt64)
    /// A file operation of the segment log failed (`errno` from the system call). After a failed
    /// write or sync the log refuses further writes: what reached the disk is unknown until the
    /// node reopens it (docs/storage.md, "A Raft log in segment files").
    case fileSystem(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .rocksDB(let operation, let message):
            return "RocksDB \(operation) failed: \(message)"
        case .closed:
            return "storage is closed"
        case .corruptEntry(let index, let reason):
            return "raft log entry \(index) is corrupt (\(reason)); the node refuses to serve from this log"
                + " — restore the node from a peer (docs/storage.md, Corruption)"
        case .corruptRecord(let name, let reason):
            return "stored \(name) is corrupt (\(reason)) — restore the node from a peer (docs/storage.md, Corruption)"
        case .inconsistentLog(let detail):
            return "raft log is inconsistent: \(detail) — restore the node from a peer (docs/storage.md, Corruption)"
        case .unsupportedFormat(let found, let supported):
            return "database format \(found) is not supported (this build reads format \(supported))"
        case .tooLarge(let what, let size, let limit):
            return "\(what) of \(size) bytes exceeds the limit of \(limit) bytes"
        case .invalidSnapshotChunk(let detail):
            return "invalid snapshot chunk: \(detail)"
        case .alreadyInitialized(let detail):
            return "cannot bootstrap a node that already has data: \(detail)"
        case .installInProgress:
            return "a snapshot installation is already in progress on this node"
        case .installNotReady(let detail):
            return "snapshot installation cannot continue: \(detail)"
        case .diskFull(let path, let available, let required):
            return "the disk holding \(path) is full: \(available) bytes free, at least \(required) needed"
                + " — free space on it (or move the data directory), then start the node again"
        case .fileSystem(let operation, let path, let errno):
            return "\(operation) of \(path) failed (errno \(errno)) — check the disk and the directory's permissions,"
                + " then start the node again"
        }
    }
}
