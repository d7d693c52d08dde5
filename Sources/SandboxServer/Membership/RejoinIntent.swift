import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A founding StatefulSet pod's decision to rejoin the running cluster instead of bootstrapping
/// (it lost its disk), kept in its data directory (`rejoin-pending`) from before the node opens
/// its storage until the leader has added it back. A pod restarted mid-rejoin (killed, evicted,
/// OOM) reads it and resumes the rejoin: it never bootstraps on the directory its first start
/// filled, nor stays a learner for good. The file holds the stage reached, one word.
enum RejoinIntent: String, Sendable, Equatable {
    /// The cluster may still list this node's old self (with its forgotten log) as a voter:
    /// remove that before adding this pod.
    case staleSelfListed = "stale-self-listed"
    /// The old self is removed: the cluster listing this node as a voter now means this pod.
    case staleSelfRemoved = "stale-self-removed"

    static let fileName = "rejoin-pending"

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func path(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(fileName)
    }

    /// The stage recorded in `dataDirectory`; nil when no rejoin is pending.
    static func read(in dataDirectory: String) throws(Problem) -> RejoinIntent? {
        let path = path(in: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
            let stage = RejoinIntent(
                rawValue: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw Problem(
                description: "\(path) is unreadable or not one of \(Self.stages): it records an interrupted rejoin; "
                    + "write `\(RejoinIntent.staleSelfListed.rawValue)` into it to resume the rejoin safely")
        }
        return stage
    }

    static var stages: String { "`\(staleSelfListed.rawValue)`, `\(staleSelfRemoved.rawValue)`" }

    /// Records this stage durably before the caller acts on it: a temporary file written and
    /// flushed, renamed over the old one, the directory flushed (created first if missing).
    func record(in dataDirectory: String) throws(Problem) {
        do { try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true) } catch {
            throw Problem(description: "cannot create the data directory \(dataDirectory): \(error)")
        }
        let path = Self.path(in: dataDirectory)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("create \(temporary)") }
        let bytes = Array((rawValue + "\n").utf8)
        let complete = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count && fsync(fd) == 0
        close(fd)
        guard complete, rename(temporary, path) == 0 else {
            let problem = Self.failure("write \(path)")
            unlink(temporary)
            throw problem
        }
        try Self.syncDirectory(dataDirectory)
    }

    /// The rejoin is over (the leader added this pod as a voter): the file goes, durably.
    static func clear(in dataDirectory: String) throws(Problem) {
        guard unlink(path(in: dataDirectory)) == 0 || errno == ENOENT else {
            throw failure("remove \(path(in: dataDirectory))")
        }
        try syncDirectory(dataDirectory)
    }

    private static func syncDirectory(_ directory: String) throws(Problem) {
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open \(directory)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("flush \(directory)") }
    }

    private static func failure(_ what: String) -> Problem {
        Problem(description: "rejoin intent: cannot \(what): \(String(cString: strerror(errno)))")
    }
}
