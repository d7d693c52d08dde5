import Foundation
import Logging
import Raft
import SandboxStorage

/// `sandboxd recover --data-dir D --node-id N [--force-new-cluster]`: disaster recovery when a
/// majority of the voters is lost for good (docs/operations.md, "Disaster recovery"). On the
/// stopped node's data directory it makes that node the only voter of its cluster
/// (``ForceNewCluster``). Without `--force-new-cluster` it only shows what it would do (the log's
/// last index and term, the members it would remove: compare survivors with it) and refuses.
/// Refused while a node runs on the directory.
enum RecoverCommand {
    struct Options: Equatable {
        var dataDirectory = ""
        var node: NodeID = 0
        var force = false

        init(_ arguments: [String]) throws(ConfigError) {
            var rest = arguments[...]
            while let flag = rest.popFirst() {
                switch flag {
                case "--force-new-cluster": force = true
                case "--data-dir":
                    guard let value = rest.popFirst(), !value.isEmpty else { throw .invalid(flag, "a directory") }
                    dataDirectory = value
                case "--node-id":
                    guard let value = rest.popFirst(), let id = UInt64(value), id > 0 else {
                        throw .invalid(flag, "this node's id, a positive integer (a StatefulSet pod's: ordinal + 1)")
                    }
                    node = id
                default:
                    throw .invalid(
                        flag, "unknown; usage: sandboxd recover --data-dir D --node-id N [--force-new-cluster]")
                }
            }
            guard !dataDirectory.isEmpty, node > 0 else {
                throw .invalid("recover", "usage: sandboxd recover --data-dir D --node-id N [--force-new-cluster]")
            }
        }
    }

    static func run(_ arguments: [String], logger: Logger) -> Int32 {
        let options: Options
        do { options = try Options(arguments) } catch {
            logger.error("\(error)")
            return 2
        }
        let directory = options.dataDirectory
        guard !SandboxNode.dataDirectoryIsEmpty(directory) else {
            logger.error("\(directory) holds no data: there is nothing to recover from")
            return 2
        }
        if let holder = DataDirectoryLock.holder(in: directory) {
            logger.error(
                "refused: a node runs on \(directory) (process \(holder) holds its lock): stop it first, then recover")
            return 2
        }
        do {
            let storage = try NodeStorage(path: directory)
            defer { storage.close() }
            return try recover(options, storage, logger: logger)
        } catch {
            logger.error("cannot recover \(directory): \(error) (if a node still runs on it, stop it first)")
            return 1
        }
    }

    private static func recover(_ options: Options, _ storage: NodeStorage, logger: Logger) throws -> Int32 {
        let status = try storage.log.status()
        let plan = try ForceNewCluster.plan(
            node: options.node, hardState: status.hardState, membership: status.confState,
            lastIndex: status.lastIndex, lastTerm: try storage.log.term(at: status.lastIndex),
            changes: try membershipChanges(storage.log, status))
        let summary: Logger.Metadata = [
            "data_dir": "\(options.dataDirectory)", "node": "\(options.node)", "last_index": "\(status.lastIndex)",
            "commit_index": "\(max(status.hardState.commit, storage.state.appliedIndex()))",
            "applied_index": "\(storage.state.appliedIndex())", "term": "\(status.hardState.term)",
            "voters": "\(status.confState.voters)", "learners": "\(status.confState.learners)",
            "removes": "\(plan.removed)", "new_term": "\(plan.hardState.term)",
        ]
        guard options.force else {
            logger.error(
                "refused without --force-new-cluster (nothing written): this would make node \(options.node) the only voter, removing \(plan.removed); run it only when those nodes are lost for good, on the survivor with the highest last_index",
                metadata: summary)
            return 2
        }
        try storage.log.append(plan.entries, hardState: plan.hardState)
        try RejoinIntent.clear(in: options.dataDirectory)
        logger.warning(
            "FORCED A NEW CLUSTER: node \(options.node) is now the only voter (removed \(plan.removed)); start it, then add new members with empty data directories. Never start a removed node on its old data",
            metadata: summary)
        return 0
    }

    /// The membership changes in the log, in order (read in batches).
    private static func membershipChanges(_ log: RaftLogStore, _ status: LogStatus) throws -> [ConfChange] {
        var changes: [ConfChange] = []
        var next = status.firstIndex
        while next <= status.lastIndex {
            let batch = try log.entries(from: next, to: status.lastIndex + 1, maxBytes: 4 << 20)
            guard let last = batch.last else { break }
            for entry in batch where entry.kind == .configChange {
                if let change = try? ConfChange(decoding: entry.data) { changes.append(change) }
            }
            next = last.index + 1
        }
        return changes
    }
}
