import Raft
import RaftSimulation

/// A cluster of `count` voters (ids 1...count) with node `leader` elected and everything settled.
func electedCluster(
    _ count: Int = 3, leader: NodeID = 1, configure: @escaping @Sendable (inout RaftConfig) -> Void = { _ in }
) -> ManualCluster {
    let cluster = ManualCluster(voters: (1...UInt64(count)).map { $0 }, configure: configure)
    cluster.node(leader).campaign()
    cluster.stabilize()
    return cluster
}

/// Ticks a node through a full election timeout (the randomized timeout is below 2x).
func tickElection(_ cluster: ManualCluster, _ id: NodeID, electionTicks: Int = 10) {
    cluster.tick(id, times: 2 * electionTicks)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A node with the given id built directly on a storage (for tests that step messages by hand).
func standaloneNode(
    _ id: NodeID, voters: [NodeID], configure: (inout RaftConfig) -> Void = { _ in }
) throws -> (RaftNode, MemoryLogStorage) {
    let storage = MemoryLogStorage(bootstrap: ConfState(voters: voters))
    var config = RaftConfig(id: id)
    configure(&config)
    return (try RaftNode(config: config, storage: storage, seed: id), storage)
}

/// Carries out a node's Ready against its memory storage and returns the messages it sends.
@discardableResult
func persist(_ node: RaftNode, _ storage: MemoryLogStorage) throws -> [Message] {
    let ready = node.ready()
    if let snapshot = ready.snapshot {
        try storage.installSnapshotState(snapshot)  // state first (it moves the log too)
        try storage.applySnapshot(snapshot)
    }
    try storage.append(ready.entries)
    if let hard = ready.hardState { try storage.setHardState(hard) }
    node.advance(ready)
    return ready.messages + ready.messagesAfterPersist
}

/// Ticks followers until they no longer hear a leader's lease (an election timeout without a
/// heartbeat), without reaching their own randomized timeout first.
func leaseExpires(_ cluster: ManualCluster, _ ids: [NodeID], electionTicks: Int = 10) {
    for id in ids { cluster.tick(id, times: electionTicks - 1) }
    for id in ids where cluster.node(id).role == .follower { cluster.tick(id) }
}
