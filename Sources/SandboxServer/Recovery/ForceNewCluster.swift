import Raft

/// Disaster recovery when a majority of the voters is lost for good: the entries and hard state
/// that make one survivor the only voter of its cluster, written into its stopped data directory
/// by `sandboxd recover --force-new-cluster` (``RecoverCommand``; etcd's `--force-new-cluster`
/// is the model). Pure: it reads the log's position and membership, writes nothing.
///
/// Appended after the survivor's last entry, in a term above every term it has seen: a change
/// adding the survivor as a voter (a no-op when it is one), then one removing each other node
/// the log knows of (the stored membership and every membership change in the log, so that an
/// unapplied change cannot bring one back). The hard state commits through the last of them:
/// every entry the survivor holds, acknowledged to a client or not, becomes committed (a request
/// id is decided once, so a client's retry of an unacknowledged one gets that answer), and on
/// start the node applies them, finds itself the only voter and elects itself.
struct ForceNewCluster: Sendable, Equatable {
    /// The entries to append (membership changes), from `lastIndex + 1`.
    let entries: [Entry]
    let hardState: HardState
    /// The nodes removed, in order.
    let removed: [NodeID]

    enum Refusal: Error, Equatable, CustomStringConvertible {
        case emptyLog
        case notAMember(node: NodeID, known: [NodeID])

        var description: String {
            switch self {
            case .emptyLog:
                return "the data directory holds no Raft log: there is nothing to recover from"
            case .notAMember(let node, let known):
                return "node \(node) is not a member in this data directory's log (members it knows: \(known)): "
                    + "check --node-id (a StatefulSet pod's id is its ordinal + 1)"
            }
        }
    }

    /// The plan for `node` given its log's stored hard state and membership, its last index,
    /// the term of its last entry (or of the compaction point) and the membership changes its
    /// log holds, in order.
    static func plan(
        node: NodeID, hardState: HardState, membership: ConfState, lastIndex: UInt64, lastTerm: UInt64,
        changes: [ConfChange]
    ) throws(Refusal) -> ForceNewCluster {
        guard lastIndex > 0, hardState != .empty else { throw .emptyLog }
        var known = Set(membership.voters + membership.learners)
        for change in changes { known.insert(change.node) }
        guard known.contains(node) else { throw .notAMember(node: node, known: known.sorted()) }
        let term = max(hardState.term, lastTerm) + 1
        let removed = known.subtracting([node]).sorted()
        let changes = [ConfChange(.addVoter, node: node)] + removed.map { ConfChange(.removeNode, node: $0) }
        let entries = changes.enumerated().map { offset, change in
            Entry(term: term, index: lastIndex + 1 + UInt64(offset), kind: .configChange, data: change.encoded())
        }
        return ForceNewCluster(
            entries: entries, hardState: HardState(term: term, vote: node, commit: lastIndex + UInt64(entries.count)),
            removed: removed)
    }
}
