import Raft

/// The default `NodeStore`: Raft's `MemoryLogStorage` and the state machine, both kept in this
/// object, which survives a simulated crash ("durable" means "written here").
public final class MemoryNodeStore: NodeStore {
    public let storage: MemoryLogStorage
    /// The state machine as last stored.
    @exclusivity(unchecked) private var stored: HashChainMachine

    public init(storage: MemoryLogStorage, machine: HashChainMachine) {
        self.storage = storage
        stored = machine
    }

    public var log: any RaftLogStorage { storage }

    public func machine() throws -> HashChainMachine { stored }

    public func saveApplied(_ machine: HashChainMachine, conf: ConfState?) throws {
        if let conf { try storage.setConfState(conf) }
        try storage.setAppliedIndex(machine.applied)
        stored = machine
    }

    /// The log's snapshot already carries the state (`createSnapshot` at compaction).
    public func outgoing(_ snapshot: Snapshot) throws -> Snapshot { snapshot }

    public func install(_ snapshot: Snapshot) throws -> HashChainMachine {
        let index = snapshot.metadata.index
        guard let machine = HashChainMachine(decoding: snapshot.data) else {
            throw NodeStoreError.snapshotDataMismatch(index: index, detail: "\(snapshot.data.count) bytes")
        }
        guard machine.applied == index else {
            throw NodeStoreError.snapshotDataMismatch(index: index, detail: "it is applied up to \(machine.applied)")
        }
        try storage.installSnapshotState(snapshot)
        try storage.applySnapshot(snapshot)  // a no-op: installing the state moved the log
        stored = machine
        return machine
    }

    public func compact(upTo index: UInt64, machine: HashChainMachine, conf: ConfState) throws {
        try storage.createSnapshot(at: index, conf: conf, data: machine.encoded())
        try storage.compact(upTo: index)
    }

    public func crash() throws {}

    public func close() {}
}
