import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// One store the contract suite runs against: its log through `RaftLogStorage`, and around it
/// what the contract's rules depend on — the state machine's applied index, installing a
/// snapshot's state, bootstrap and reopening — each done the way a runtime does it on that store.
protocol ContractStore: AnyObject {
    var log: any RaftLogStorage { get }
    func appliedIndex() -> UInt64
    /// Records that the state machine applied the entries up to `index`.
    func setApplied(_ index: UInt64) throws
    /// Installs a snapshot's state (which moves the log with it).
    func installState(_ metadata: SnapshotMetadata) throws
    /// Closes and opens again from what is durable (the memory store keeps its object).
    func reopen() throws
    func close()
}

/// The stores of the contract suite, for `@Test(arguments:)`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case rocksDB

    var testDescription: String { rawValue }

    /// An empty store, or a founding member's (the bootstrap snapshot at 1 with `conf`).
    func make(bootstrap conf: ConfState? = nil) throws -> any ContractStore {
        switch self {
        case .memory:
            return MemoryContractStore(conf.map { MemoryLogStorage(bootstrap: $0) } ?? MemoryLogStorage())
        case .rocksDB:
            let store = try RocksDBContractStore()
            if let conf { try store.storage.bootstrap(conf) }
            return store
        }
    }
}

final class MemoryContractStore: ContractStore {
    let memory: MemoryLogStorage

    init(_ memory: MemoryLogStorage) { self.memory = memory }

    var log: any RaftLogStorage { memory }
    func appliedIndex() -> UInt64 { memory.appliedIndex }
    func setApplied(_ index: UInt64) throws { try memory.setAppliedIndex(index) }
    func installState(_ metadata: SnapshotMetadata) throws {
        try memory.installSnapshotState(Snapshot(metadata: metadata))
    }
    func reopen() throws {}
    func close() {}
}

final class RocksDBContractStore: ContractStore {
    let directory = TemporaryDirectory("contract")
    private(set) var storage: NodeStorage

    init() throws { storage = try openStorage(directory.path) }

    var log: any RaftLogStorage { storage.log }
    func appliedIndex() -> UInt64 { storage.state.appliedIndex() }
    func setApplied(_ index: UInt64) throws { try storage.state.apply(StateBatch(), appliedIndex: index) }

    /// The state installer with one empty chunk: `finish()` switches the state and the log.
    func installState(_ metadata: SnapshotMetadata) throws {
        let installer = try storage.state.beginInstall(metadata)
        try installer.add(
            SnapshotChunk(
                metadataIndex: metadata.index, term: metadata.term, sequence: 0, isLast: true, recordCount: 0,
                records: []))
        try installer.finish()
    }

    func reopen() throws {
        storage.close()
        storage = try openStorage(directory.path)
    }

    func close() { storage.close() }
}

/// Everything a reader of the store can see, to check that a refusal changed nothing and that a
/// reopen brings back what was written.
struct ObservedStore: Equatable, CustomStringConvertible {
    var firstIndex: UInt64
    var lastIndex: UInt64
    var hardState: HardState
    var conf: ConfState
    var snapshot: SnapshotMetadata
    var entries: [Entry]
    var applied: UInt64

    init(_ store: any ContractStore) throws {
        let log = store.log
        firstIndex = try log.firstIndex()
        lastIndex = try log.lastIndex()
        (hardState, conf) = try log.initialState()
        snapshot = try log.snapshot().metadata
        entries = try log.entries(from: firstIndex, to: lastIndex + 1, maxBytes: .max)
        applied = store.appliedIndex()
    }

    var description: String {
        "log [\(firstIndex), \(lastIndex)] terms \(entries.map(\.term)), \(hardState), \(conf), snapshot \(snapshot), applied \(applied)"
    }
}
