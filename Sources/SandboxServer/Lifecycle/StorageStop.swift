import Foundation
import Logging
import SandboxStorage
import Synchronization

/// How a node stops when its storage cannot be written (docs/storage.md, "A full disk"): it
/// exits with status 74 (`EX_IOERR`) and an error naming the reason and the data directory,
/// without flushing or closing its database: as after a crash, the next start recovers
/// everything that was acknowledged from the write-ahead log. Closing would write files, and on
/// a full disk RocksDB 7.8 aborts there (an assertion) instead of failing.
///
/// The reasons: the driver stopped on a storage failure (a log append, a state apply or a
/// compaction that failed) or on a build too old for the cluster's apply rules
/// (`RulesVersionUnsupported`: after the restart the node stops at the same entry, so the
/// message stays in front of the operator until the binary is upgraded), or the file system holding the data has less free space than the
/// store needs (`NodeStorage.minimumFreeBytes`), checked every 200 ms by a thread so that the
/// node stops before RocksDB meets the full disk, and once more before a graceful shutdown.
/// A start on a full disk fails the same way (`StorageError.diskFull`, exit 74) before anything
/// is opened; once space is freed the node starts and catches up.
final class StorageStop: Sendable {
    static let exitStatus: Int32 = 74

    private let node: SandboxNode
    private let logger: Logger
    private let watching = Atomic(true)

    init(node: SandboxNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    /// Why the node must stop now, or nil.
    static func reason(stopped: String?, dataDirectory: String, minimumFreeBytes: UInt64) -> String? {
        if let stopped, stopped != "shut down" { return "the node's driver stopped: \(stopped)" }
        return DiskSpace.shortage(at: dataDirectory, minimum: minimumFreeBytes)?.description
    }

    /// Starts the thread that checks every 200 ms until `finishWatching`.
    func start() {
        let thread = Thread { [self] in
            while watching.load(ordering: .acquiring) {
                stopIfStorageUnusable()
                usleep(200_000)
            }
        }
        thread.name = "storage-watch"
        thread.start()
    }

    /// Before a graceful shutdown (which flushes and closes the database): exits instead when
    /// the storage cannot be written, and otherwise stops the watch.
    func finishWatching() {
        stopIfStorageUnusable()
        watching.store(false, ordering: .releasing)
    }

    private func stopIfStorageUnusable() {
        let storage = node.storage
        guard
            let reason = Self.reason(
                stopped: node.status.stopped, dataDirectory: storage.path, minimumFreeBytes: storage.minimumFreeBytes)
        else { return }
        guard watching.load(ordering: .acquiring) else { return }
        logger.critical(
            "the node stops (its storage cannot be written, or its build cannot apply the log: see the reason); the database is left as after a crash (nothing acknowledged is lost)",
            metadata: ["reason": "\(reason)", "data_dir": "\(storage.path)", "exit_status": "\(Self.exitStatus)"])
        _exit(Self.exitStatus)
    }
}
