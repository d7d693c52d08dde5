import Raft
import RaftSimulation
import SandboxStorage

/// A simulated node's `NodeStore` on the RocksDB store the cluster runs (SandboxStorage's
/// `NodeStorage`, in a directory of its own):
/// - the log is the `RaftLogStore` the core reads and the runtime appends to;
/// - the state machine lives in the `StateStore`: its hash under one key, written with the
///   applied index (and the membership a configuration change produced) in one `apply`;
/// - a snapshot the node sends is its state store's snapshot at the applied index (the chunks,
///   with that index's metadata), as the runtime does it (docs/storage.md);
/// - a snapshot it receives is installed state first, through `SnapshotInstaller`, whose commit
///   moves the log; `applySnapshot` follows and is then a no-op;
/// - compaction is the log store's own (refused beyond the applied index);
/// - a crash closes the database without flushing anything and opens it again from disk: what
///   reached the segment files and RocksDB's write-ahead log is recovered, as after a process
///   crash (`kill -9`).
public final class RocksDBNodeStore: NodeStore {
    static let hashKey = Array("simulation/hash".utf8)

    /// Small memtables, cache and preallocations: a simulated node's data is tiny, and RocksDB
    /// reserves each write-ahead log file at about 1.1 times the largest memtable and the
    /// MANIFEST at 4 MiB (on a tmpfs such as /dev/shm that is memory: about 13 MB per database
    /// with `StorageOptions.small`, about 1 MB here).
    public static var options: StorageOptions {
        var options = StorageOptions.small
        options.logWriteBufferBytes = 1 << 20
        options.stateWriteBufferBytes = 1 << 20
        options.totalWriteBufferBytes = 8 << 20
        options.blockCacheBytes = 1 << 20
        options.infoLogFileBytes = 1 << 20
        options.infoLogFilesKept = 1
        options.manifestPreallocationBytes = 64 << 10
        return options
    }

    public let path: String
    private var storage: NodeStorage

    /// Opens (creating) the database in `path`.
    public init(path: String) throws {
        self.path = path
        storage = try NodeStorage(path: path, options: Self.options)
    }

    /// Makes the empty node a founding member (the bootstrap snapshot at 1 with `conf`), with
    /// `machine` (applied up to 1) as its state.
    public func bootstrap(_ conf: ConfState, machine: HashChainMachine) throws {
        try storage.bootstrap(conf)
        if machine.hash != 0 { try storage.state.put(Self.hashKey, Self.encode(machine.hash)) }
    }

    public var log: any RaftLogStorage { storage.log }

    public func machine() throws -> HashChainMachine {
        let hash = try storage.state.get(Self.hashKey).map(Self.decodeHash) ?? 0
        return HashChainMachine(applied: storage.state.appliedIndex(), hash: hash)
    }

    public func saveApplied(_ machine: HashChainMachine, conf: ConfState?) throws {
        var batch = StateBatch()
        batch.put(Self.hashKey, Self.encode(machine.hash))
        try storage.state.apply(batch, appliedIndex: machine.applied, confState: conf)
    }

    public func outgoing(_ snapshot: Snapshot) throws -> Snapshot {
        let reader = try storage.state.makeSnapshot()
        defer { reader.close() }
        var chunks: [[UInt8]] = []
        while let chunk = try reader.nextChunk() { chunks.append(chunk.encoded()) }
        return Snapshot(metadata: reader.metadata, data: ChunkFraming.frame(chunks))
    }

    public func install(_ snapshot: Snapshot) throws -> HashChainMachine {
        let index = snapshot.metadata.index
        let installer = try storage.state.beginInstall(snapshot.metadata)
        for chunk in try ChunkFraming.chunks(in: snapshot.data, snapshotIndex: index) {
            try installer.add(encoded: chunk)
        }
        try installer.finish()
        try storage.log.applySnapshot(snapshot)
        let machine = try machine()
        guard machine.applied == index else {
            throw NodeStoreError.snapshotDataMismatch(
                index: index, detail: "the state is applied up to \(machine.applied)")
        }
        return machine
    }

    public func compact(upTo index: UInt64, machine: HashChainMachine, conf: ConfState) throws {
        try storage.log.compact(upTo: index)
    }

    public func crash() throws {
        storage.closeAsIfCrashed()
        storage = try NodeStorage(path: path, options: Self.options)
    }

    public func close() {
        storage.close()
    }

    static func encode(_ hash: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: hash >> (56 - 8 * UInt64($0))) }
    }

    static func decodeHash(_ bytes: [UInt8]) throws -> UInt64 {
        guard bytes.count == 8 else {
            throw NodeStoreError.snapshotDataMismatch(index: 0, detail: "a stored hash of \(bytes.count) bytes")
        }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
