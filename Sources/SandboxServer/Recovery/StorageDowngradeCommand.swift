import Logging
import Raft
import SandboxStorage

/// `sandboxd storage-downgrade --data-dir D`: converts a stopped node's database from storage
/// format 2 (the Raft log in segment files) back to format 1, so that a build before format 2
/// can start on it (docs/operations.md, "Upgrade"). Refused while a node runs on the directory.
enum StorageDowngradeCommand {
    static let usage = "usage: sandboxd storage-downgrade --data-dir D"

    static func run(_ arguments: [String], logger: Logger) -> Int32 {
        guard arguments.count == 2, arguments[0] == "--data-dir", !arguments[1].isEmpty else {
            logger.error("\(usage)")
            return 2
        }
        let directory = arguments[1]
        guard !SandboxNode.dataDirectoryIsEmpty(directory) else {
            logger.error("\(directory) holds no data: there is nothing to convert")
            return 2
        }
        if let holder = DataDirectoryLock.holder(in: directory) {
            logger.error("refused: a node runs on \(directory) (process \(holder) holds its lock): stop it first")
            return 2
        }
        do {
            let done = try NodeStorage.downgradeToFormat1(path: directory)
            if done.converted {
                logger.notice(
                    "\(directory) is storage format 1 now: a build before format 2 can start on it",
                    metadata: [
                        "first_index": "\(done.firstIndex)", "last_index": "\(done.lastIndex)",
                        "term": "\(done.hardState.term)", "commit_index": "\(done.hardState.commit)",
                    ])
            } else {
                logger.notice("\(directory) is storage format 1 already: nothing to do")
            }
            return 0
        } catch {
            logger.error("cannot convert \(directory): \(error)")
            return 1
        }
    }
}
