import Foundation
import Raft
import SandboxState
import SandboxTransport

extension ServerConfig {
    init(values given: [String: String], environment: [String: String]) throws(ConfigError) {
        self.init()
        let values = Self.flag(given["dev"]) ? try Self.devValues(given) : given
        dev = Self.flag(values["dev"])
        removeDataOnExit = dev && given["data-dir"] == nil
        if let text = values["data-dir"] { dataDirectory = text }
        if let text = values["http"] { httpAddress = try Self.address(text, "--http") }
        if let text = values["peer-listen"] { peerAddress = try Self.address(text, "--peer-listen") }
        if let text = values["cluster-id"] { clusterID = text }
        if let text = values["admin-token"], !text.isEmpty { adminToken = text }
        bootstrap = Self.flag(values["bootstrap"])
        if let text = values["tick-ms"] {
            guard let ms = Int(text), (1...10_000).contains(ms) else { throw .invalid("--tick-ms", "1 to 10000") }
            tickMilliseconds = ms
        }
        if let text = values["advertise-http"] { advertiseHTTP = try Self.address(text, "--advertise-http") }
        if let path = values["hosts-file"] { hosts = try Self.hostTable(path) }
        if let text = values["compact-after"] {
            guard let count = UInt64(text), count >= 10 else {
                throw .invalid("--compact-after", "at least 10 entries")
            }
            compactionThreshold = count
            compactionRetain = min(compactionRetain, count / 4)
        }
        if let text = values["compact-retain"] {
            guard let count = UInt64(text), count < compactionThreshold else {
                throw .invalid("--compact-retain", "fewer entries than --compact-after (\(compactionThreshold))")
            }
            compactionRetain = count
        }
        if let text = values["log-segment-mb"] {
            guard let megabytes = Int(text), (1...1024).contains(megabytes) else {
                throw .invalid("--log-segment-mb", "1 to 1024 (MiB)")
            }
            logSegmentBytes = megabytes << 20
        }
        clusterSecret = try Self.clusterSecret(values)
        try readSigningKeys(values)
        try applyTLS(values)
        if let text = values["exit-with-parent"] {
            guard let pid = Int32(text), pid > 1 else { throw .invalid("--exit-with-parent", "a process id above 1") }
            exitWithParent = pid
        }
        if Self.flag(values["statefulset"]) {
            try applyStatefulSet(values)
        } else {
            if let text = values["peers"] {
                do { peers = try PeerAddress.parsePeers(text) } catch { throw .invalid("--peers", "\(error)") }
            }
            guard let text = values["node-id"], let id = NodeID(text), id > 0 else {
                throw .invalid("--node-id", "required: a number above 0 (or --statefulset)")
            }
            nodeID = id
        }
        if Self.flag(values["join"]) {
            guard !Self.flag(values["bootstrap"]) else { throw .invalid("--join", "conflicts with --bootstrap") }
            bootstrap = false
        }
        if dev { try checkDevBinding() }
        if peers.isEmpty { peers = [nodeID: peerAddress] }
        guard peers[nodeID] != nil else {
            throw .invalid("--peers", "does not list this node (\(nodeID)); list every member, this one included")
        }
    }

    /// The shared peer secret, from `--cluster-secret-file` (the file's bytes, one trailing
    /// newline dropped) or `--cluster-secret` (the text; prefer the file or the environment:
    /// a flag shows in the process list). At least 16 bytes.
    private static func clusterSecret(_ values: [String: String]) throws(ConfigError) -> [UInt8]? {
        var secret: [UInt8]
        let setting: String
        if let path = values["cluster-secret-file"] {
            setting = "--cluster-secret-file \(path)"
            guard values["cluster-secret"] == nil else { throw .invalid(setting, "conflicts with --cluster-secret") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .invalid(setting, "cannot read the file")
            }
            secret = Array(data)
            if secret.last == UInt8(ascii: "\n") { secret.removeLast() }
            if secret.last == UInt8(ascii: "\r") { secret.removeLast() }
        } else if let text = values["cluster-secret"] {
            setting = "--cluster-secret"
            secret = Array(text.utf8)
        } else {
            return nil
        }
        guard secret.count >= 16, secret.count <= 4096 else {
            throw .invalid(setting, "the secret must be 16 to 4096 bytes (it is \(secret.count))")
        }
        return secret
    }

    private static func hostTable(_ path: String) throws(ConfigError) -> HostTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalid("--hosts-file \(path)", "cannot read the file")
        }
        return try HostTable(parsing: String(decoding: data, as: UTF8.self), source: path)
    }

    private static func address(_ text: String, _ flag: String) throws(ConfigError) -> PeerAddress {
        do { return try PeerAddress(parsing: text) } catch { throw .invalid(flag, "\(error)") }
    }

    static func flag(_ text: String?) -> Bool {
        guard let text else { return false }
        return ["1", "true", "yes", "on"].contains(text.lowercased())
    }
}
