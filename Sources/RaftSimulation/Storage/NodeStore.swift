import Raft

/// Everything one simulated node persists — its Raft log storage and its state machine with the
/// applied index — behind one seam, so that the simulator runs on Raft's `MemoryLogStorage` (the
/// default, `MemoryNodeStore`) or on the RocksDB store the cluster runs (`RaftSimulationRocksDB`).
/// The simulator does every durable write through it, in the order the persistence contract
/// prescribes, and a crash goes through `crash()`.
public protocol NodeStore: AnyObject {
    /// The log the node's `RaftNode` reads and the runtime appends to. After `crash()` it may be
    /// another object (the store reopened).
    var log: any RaftLogStorage { get }
    /// The state machine as durably stored (its applied index included).
    func machine() throws -> HashChainMachine
    /// Stores the state machine after it applied entries, with the membership they produced
    /// (for a configuration change entry), in one write.
    func saveApplied(_ machine: HashChainMachine, conf: ConfState?) throws
    /// What the node sends for the snapshot the core put in a message: the core reads the log's
    /// snapshot (the compaction point); the store adds the state (and may send the state at its
    /// applied index, with that index's metadata, as the RocksDB store's runtime does).
    func outgoing(_ snapshot: Snapshot) throws -> Snapshot
    /// Installs a snapshot received from the leader: the state first, then the log
    /// (`applySnapshot`). Returns the state machine it holds.
    func install(_ snapshot: Snapshot) throws -> HashChainMachine
    /// Snapshots the state machine at `index` (its applied index) with membership `conf`, and
    /// compacts the log up to there.
    func compact(upTo index: UInt64, machine: HashChainMachine, conf: ConfState) throws
    /// A crash: whatever the store did not write is lost, and it comes back from what it wrote.
    func crash() throws
    /// The run is over: releases what the store holds.
    func close()
}
