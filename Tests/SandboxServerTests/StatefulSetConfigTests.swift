import Foundation
import Raft
import SandboxTransport
import Testing

@testable import SandboxServer

/// StatefulSet mode's configuration from the pod's name, and the `--hosts-file` table.
@Suite struct StatefulSetConfigTests {
    let dns = "sandbox-peers.prod.svc.cluster.local"

    func config(_ pod: String, _ extra: [String] = []) throws -> ServerConfig {
        try ServerConfig(
            arguments: ["--statefulset", "--http", "0.0.0.0:8080", "--peer-listen", "0.0.0.0:7080"] + extra,
            environment: ["HOSTNAME": pod, "SANDBOX_NAMESPACE": "prod"])
    }

    @Test func aFoundingPodBootstrapsWithEveryFoundingPeerByDNSName() throws {
        let config = try config("sandbox-1")
        #expect(config.nodeID == 2)
        #expect(config.bootstrap)
        #expect(config.statefulSet?.isElastic == false)
        // Every pod that may lead is a peer it accepts; the founding ones are the voters.
        #expect(
            config.peers
                == Dictionary(
                    uniqueKeysWithValues: (0..<9).map {
                        (NodeID(UInt64($0 + 1)), PeerAddress(host: "sandbox-\($0).\(dns)", port: 7080))
                    }))
        #expect(config.foundingVoters == [1, 2, 3])
        #expect(config.advertisedHTTP == PeerAddress(host: "sandbox-1.\(dns)", port: 8080))
        #expect(config.statefulSet?.foundingHTTP(port: 8080) == ["sandbox-0.\(dns):8080", "sandbox-2.\(dns):8080"])
    }

    @Test func aPodPastTheFoundingReplicasJoinsAndNeverBootstraps() throws {
        let config = try config("sandbox-4", ["--replicas", "3"])
        #expect(config.nodeID == 5)
        #expect(!config.bootstrap)
        #expect(config.statefulSet?.isElastic == true)
        #expect(config.peers.keys.sorted() == Array(1...9))
        #expect(config.foundingVoters == [1, 2, 3])
        #expect(try self.config("sandbox-12", ["--replicas", "1"]).peers.keys.sorted() == Array(1...9) + [13])
        #expect(throws: ConfigError.self) { try self.config("sandbox-4", ["--replicas", "3", "--bootstrap"]) }
    }

    @Test func badPodNamesAndReplicaCountsAreRefusedWithTheSetting() {
        for (pod, extra) in [("sandbox", []), ("sandbox-x", []), ("-1", []), ("sandbox-0", ["--replicas", "0"])] {
            #expect(throws: ConfigError.self, "\(pod) \(extra)") { try self.config(pod, extra) }
        }
    }

    @Test func theHostTableMapsNamesForDiallingOnly() throws {
        let table = try HostTable(
            parsing: "# pods\n127.0.0.2 sandbox-1.x sandbox-1  # comment\n\n10.0.0.9 Other\n127.0.0.3 sandbox-1.x\n",
            source: "hosts")
        #expect(table.dial(PeerAddress(host: "sandbox-1.x", port: 7080)) == PeerAddress(host: "127.0.0.2", port: 7080))
        #expect(table.dial("other:8080") == "10.0.0.9:8080")
        #expect(table.dial("unknown:8080") == "unknown:8080")
        #expect(throws: ConfigError.self) { try HostTable(parsing: "127.0.0.1\n", source: "hosts") }
        #expect(HostTable().dial("sandbox-1.x:1") == "sandbox-1.x:1")
    }

    @Test func anEmptyDataDirectoryMayHoldLostAndFound() throws {
        let path = NSTemporaryDirectory() + "sandboxd-empty-\(UInt64.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(SandboxNode.dataDirectoryIsEmpty(path))
        try FileManager.default.createDirectory(atPath: path + "/lost+found", withIntermediateDirectories: true)
        #expect(SandboxNode.dataDirectoryIsEmpty(path))
        FileManager.default.createFile(atPath: path + "/CURRENT", contents: Data())
        #expect(!SandboxNode.dataDirectoryIsEmpty(path))
    }
}
