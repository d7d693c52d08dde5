import Raft

// The simulator's side of the `NodeStore` seam: making the stores of a run, a crash, and the
// snapshots a node sends.
extension Simulation {
    func makeNodeStores() -> (any NodeStoreFactory)? {
        do {
            let stores = try options.nodeStores()
            nodeStores = stores
            return stores
        } catch {
            fail(.runtime, "cannot make the nodes' storage: \(error)")
            return nil
        }
    }

    func makeStore(_ id: NodeID, _ make: () throws -> any NodeStore) -> (any NodeStore)? {
        do {
            return try make()
        } catch {
            fail(.runtime, "cannot make node \(id)'s storage: \(error)")
            return nil
        }
    }

    /// After a crash the node has only what its store wrote: the store comes back from it, and
    /// the state machine is what the store holds.
    func comeBackFromStorage(_ node: SimulatedNode) {
        do {
            try node.store.crash()
            node.machine = try node.store.machine()
        } catch {
            fail(.runtime, "node \(node.id) cannot reopen its storage after a crash: \(error)")
        }
    }

    /// Snapshot messages get the state from the sender's store (the core only knows the log's
    /// snapshot); everything else goes as it is.
    func outgoing(_ messages: [Message], from node: SimulatedNode) -> [Message] {
        guard messages.contains(where: { $0.kind == .snapshot }) else { return messages }
        var result: [Message] = []
        result.reserveCapacity(messages.count)
        for var message in messages {
            if message.kind == .snapshot, let snapshot = message.snapshot {
                do {
                    message.snapshot = try node.store.outgoing(snapshot)
                } catch {
                    fail(.runtime, "node \(node.id) cannot read the snapshot it sends: \(error)")
                    continue
                }
            }
            result.append(message)
        }
        return result
    }
}
