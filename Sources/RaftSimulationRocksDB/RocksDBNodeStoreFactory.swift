import Raft
import RaftSimulation
import TestSupport

/// Makes one run's `RocksDBNodeStore`s, each in a directory of its own under one temporary
/// directory, which `finish()` removes (with the databases closed first).
public final class RocksDBNodeStoreFactory: NodeStoreFactory {
    private var directory: TemporaryDirectory?
    private var stores: [RocksDBNodeStore] = []

    /// The run's directory goes under `base` (the system temporary directory, `TMPDIR`, unless
    /// given). A tmpfs such as `/dev/shm` makes fdatasync nearly free; the code is the same.
    public init(base: String? = nil) {
        directory = TemporaryDirectory("raft-sim", in: base)
    }

    /// The run's directory (nil once finished).
    public var path: String? { directory?.path }

    private func open(_ id: NodeID) throws -> RocksDBNodeStore {
        guard let directory else { throw NodeStoreError.runFinished }
        let store = try RocksDBNodeStore(path: directory.subpath("node-\(id)"))
        stores.append(store)
        return store
    }

    public func founder(_ id: NodeID, conf: ConfState, machine: HashChainMachine) throws -> any NodeStore {
        let store = try open(id)
        try store.bootstrap(conf, machine: machine)
        return store
    }

    public func joiner(_ id: NodeID) throws -> any NodeStore {
        try open(id)
    }

    public func finish() {
        for store in stores { store.close() }
        stores.removeAll()
        directory = nil
    }
}
