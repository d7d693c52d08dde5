import Raft

/// Makes the node stores of one simulated run, and cleans up after it.
public protocol NodeStoreFactory: AnyObject {
    /// A founding member's store: the bootstrap snapshot at index 1 with `conf`, the state
    /// machine `machine` (applied up to 1).
    func founder(_ id: NodeID, conf: ConfState, machine: HashChainMachine) throws -> any NodeStore
    /// An empty store, for a node that joins later.
    func joiner(_ id: NodeID) throws -> any NodeStore
    /// The run is over: closes every store and removes what the run left on disk.
    func finish()
}
