import Foundation
import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The highest policy version the client verified, kept in a file so that a restarted agent
/// refuses lower versions too (a rollback across a restart). The file holds
/// `{"agent_id": "...", "policy_version": N}` (the Python SDK reads and writes the same form) and
/// is replaced atomically: written to a temporary file beside it, flushed to disk, renamed over
/// it, and the directory flushed. A file that cannot be read or understood is an error to fix,
/// never a silent reset to zero (which would re-open the rollback the file exists to close).
struct VersionFloorFile: Sendable {
    let path: String
    let agentID: String

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The version stored; 0 when there is no file yet.
    func read() throws(Problem) -> UInt64 {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "policy version floor file \(path) cannot be read (permissions?)")
        }
        guard let json = try? JSONValue(parsing: Array(data), maxDepth: 4, maxBytes: 4096),
            case .object(let members) = json, case .string(let owner)? = members["agent_id"],
            case .number(let number)? = members["policy_version"], let value = number.int64Value, value >= 0
        else {
            throw Problem(
                description: "policy version floor file \(path) is not {\"agent_id\": ..., \"policy_version\": N}: "
                    + "restore it, or remove it knowingly (any verified version is then accepted again)")
        }
        guard owner == agentID else {
            throw Problem(description: "policy version floor file \(path) is agent `\(owner)`'s, not `\(agentID)`'s")
        }
        return UInt64(value)
    }

    /// Stores `version` durably (temporary file, fsync, rename, directory fsync).
    func store(_ version: UInt64) throws(Problem) {
        let text =
            JSONValue.object([
                "agent_id": .string(agentID), "policy_version": .number(JSONNumber(Int64(clamping: version))),
            ])
            .serialized() + "\n"
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create \(temporary)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = written == bytes.count && fsync(fd) == 0
        close(fd)
        guard synced else {
            unlink(temporary)
            throw failure("write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure("rename \(temporary) to \(path)")
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    private func failure(_ what: String) -> Problem {
        Problem(description: "policy version floor file: cannot \(what): \(String(cString: strerror(errno)))")
    }
}
