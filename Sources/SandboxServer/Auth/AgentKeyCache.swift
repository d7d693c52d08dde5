import SandboxState
import Synchronization

/// Agents by the SHA-256 of their key, as the local state held them: a decision costs no state
/// read for its key (two RocksDB reads and a record decode before).
///
/// Exact, not eventually right: everything the apply thread applies other than decisions and
/// no-ops (key add and revoke, agent disable, tenants and every rarer command, a snapshot)
/// empties the cache before the entry's proposer is answered, so once a revoke is applied on
/// this node no request there is answered with the revoked key. A lookup that read the state
/// before such an entry and stores its record after it is not kept: each store carries the
/// generation seen before the read, and a store from an older generation is dropped.
/// Bounded: at `capacity` records, the cache starts over empty.
final class AgentKeyCache: Sendable {
    private struct Contents {
        var generation: UInt64 = 0
        var agents: [[UInt8]: AgentRecord] = [:]
    }

    private let contents = Mutex(Contents())
    let capacity: Int

    init(capacity: Int = 4_096) {
        precondition(capacity > 0, "an agent key cache holds at least one record")
        self.capacity = capacity
    }

    /// The cached agent for `keyHash`, and the generation to store a record read now under.
    func lookup(keyHash: [UInt8]) -> (agent: AgentRecord?, generation: UInt64) {
        contents.withLock { ($0.agents[keyHash], $0.generation) }
    }

    /// Keeps `agent` for `keyHash`, unless the state changed since `generation` was looked up.
    func store(_ agent: AgentRecord, keyHash: [UInt8], readAt generation: UInt64) {
        contents.withLock {
            guard $0.generation == generation else { return }
            if $0.agents.count >= capacity, $0.agents[keyHash] == nil { $0.agents.removeAll(keepingCapacity: true) }
            $0.agents[keyHash] = agent
        }
    }

    /// Forgets every record (an identity may have changed).
    func invalidate() {
        contents.withLock {
            $0.generation &+= 1
            $0.agents.removeAll(keepingCapacity: true)
        }
    }

    /// Called by the apply thread after each applied batch (nil: a snapshot replaced the
    /// state): empties the cache unless the batch held only decisions and no-ops, which never
    /// change an agent record.
    func applied(_ results: [EntryResult]?) {
        guard let results, results.allSatisfy(Self.keepsAgents) else { return invalidate() }
    }

    private static func keepsAgents(_ result: EntryResult) -> Bool {
        switch result.outcome {
        case .decided, .noop: return true
        case .applied, .rejected: return false
        }
    }

    var count: Int { contents.withLock { $0.agents.count } }
}
