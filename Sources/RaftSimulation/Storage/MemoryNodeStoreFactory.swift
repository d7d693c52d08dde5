import Raft

/// Makes `MemoryNodeStore`s; nothing to clean up.
public final class MemoryNodeStoreFactory: NodeStoreFactory {
    public init() {}

    public func founder(_ id: NodeID, conf: ConfState, machine: HashChainMachine) throws -> any NodeStore {
        MemoryNodeStore(storage: MemoryLogStorage(bootstrap: conf, data: machine.encoded()), machine: machine)
    }

    public func joiner(_ id: NodeID) throws -> any NodeStore {
        MemoryNodeStore(storage: MemoryLogStorage(), machine: HashChainMachine())
    }

    public func finish() {}
}
