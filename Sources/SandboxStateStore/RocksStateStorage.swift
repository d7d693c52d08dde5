import SandboxState
import SandboxStorage

/// ``SandboxState/StateStorage`` on the node's RocksDB ``SandboxStorage/StateStore``: a thin
/// shell. A batch's effects and its applied index go into one `StateStore.apply` (one atomic,
/// unsynced write: the Raft log is the durable record, see docs/storage.md). `Sendable` because
/// `StateStore` is: reads (queries) may run on other threads while the state machine applies.
public final class RocksStateStorage: StateStorage, Sendable {
    public let store: StateStore

    public init(_ store: StateStore) { self.store = store }

    public func value(for key: [UInt8]) throws -> [UInt8]? { try store.get(key) }

    public func scan(prefix: [UInt8], after startAfter: [UInt8]?, limit: Int) throws -> [(
        key: [UInt8], value: [UInt8]
    )] {
        try store.scan(prefix: prefix, startingAfter: startAfter, limit: min(limit, StateStore.maxScanLimit)).map {
            ($0.key, $0.value)
        }
    }

    public func appliedIndex() throws -> UInt64 { store.appliedIndex() }

    public func commit(_ writes: StateWrites, appliedIndex: UInt64) throws {
        // In key order: RocksDB's memtable inserts a key next to the previous one much faster
        // than at a random place (the skiplist keeps the last insertion point).
        try store.apply(changes: writes.sorted, appliedIndex: appliedIndex)
    }
}
