import Foundation
import Raft
import SandboxState
import SandboxTransport
import Testing

@testable import SandboxServer

/// Configuration precedence (file < environment < flags), the file's format and its errors,
/// and which peers the transport gets from the recorded member addresses.
@Suite struct ConfigTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "sandboxd-config-\(UInt64.random(in: 0 ... .max)).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsOverrideTheEnvironmentWhichOverridesTheFile() throws {
        let path = try file(
            #"{"node-id": 2, "data-dir": "/from/file", "peers": {"1": "a:7080", "2": "b:7080"}, "#
                + #""tick-ms": 30, "bootstrap": true, "cluster-id": "file"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ServerConfig(
            arguments: ["--config", path, "--tick-ms", "40"],
            environment: ["SANDBOX_TICK_MS": "35", "SANDBOX_CLUSTER_ID": "env"])
        #expect(config.nodeID == 2)
        #expect(config.dataDirectory == "/from/file")
        #expect(config.tickMilliseconds == 40)
        #expect(config.clusterID == "env")
        #expect(config.bootstrap)
        #expect(config.peers[1] == PeerAddress(host: "a", port: 7080))
    }

    /// The state machine's limits decide outcomes of applied entries, so no node may set its own:
    /// a node with another cap would diverge from the others on the same log.
    @Test func stateLimitsAreNotANodeSetting() throws {
        #expect(try ServerConfig(arguments: ["--node-id", "1"], environment: [:]).stateLimits == StateLimits())
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--node-id", "1", "--max-open-approvals-per-agent", "7"], environment: [:])
        }
    }

    /// A mistyped flag, or a value without its flag, is refused by name or position: the error
    /// (which the node logs) never holds the value, which may be a token.
    @Test func aBadFlagIsNamedWithoutItsValue() {
        let secret = "sbx_0123456789abcdef_secret"
        for arguments in [
            ["--node-id", "1", "--admin_token=\(secret)"], ["--node-id", "1", secret], ["-admin-token=\(secret)"],
        ] {
            let described = "\(Result { try ServerConfig(arguments: arguments, environment: [:]) })"
            #expect(described.contains("failure") && !described.contains(secret), "\(described)")
        }
        let named = "\(Result { try ServerConfig(arguments: ["--admin_token=\(secret)"], environment: [:]) })"
        #expect(named.contains("--admin_token"), "\(named)")
    }

    @Test func aBadFileNamesTheSetting() throws {
        let path = try file(#"{"node-id": 1, "tik-ms": 30}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigError.self) { try ServerConfig(arguments: ["--config", path], environment: [:]) }
        let described = "\(Result { try ServerConfig(arguments: ["--config", path], environment: [:]) })"
        #expect(described.contains("tik-ms"))
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--config", "/no/such/file.json", "--node-id", "1"], environment: [:])
        }
        let nested = try file(#"{"node-id": [1]}"#)
        defer { try? FileManager.default.removeItem(atPath: nested) }
        #expect(throws: ConfigError.self) { try ServerConfig(arguments: ["--config", nested], environment: [:]) }
    }

    @Test func theClusterSecretComesFromAFileOrTheEnvironmentAndHasAMinimumLength() throws {
        let path = try file("s3cret-from-a-file-0123456789\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try ServerConfig(
            arguments: ["--node-id", "1", "--cluster-secret-file", path], environment: [:])
        #expect(fromFile.clusterSecret == Array("s3cret-from-a-file-0123456789".utf8))
        let fromEnvironment = try ServerConfig(
            arguments: ["--node-id", "1"], environment: ["SANDBOX_CLUSTER_SECRET": "from-the-environment-42"])
        #expect(fromEnvironment.clusterSecret == Array("from-the-environment-42".utf8))
        #expect(try ServerConfig(arguments: ["--node-id", "1"], environment: [:]).clusterSecret == nil)
        let short = Result {
            try ServerConfig(arguments: ["--node-id", "1", "--cluster-secret", "short"], environment: [:])
        }
        #expect("\(short)".contains("16 to 4096 bytes"))
        let both = Result {
            try ServerConfig(
                arguments: ["--node-id", "1", "--cluster-secret-file", path, "--cluster-secret", "x-0123456789abcdef"],
                environment: [:])
        }
        #expect("\(both)".contains("conflicts"))
        let missing = Result {
            try ServerConfig(
                arguments: ["--node-id", "1", "--cluster-secret-file", path + ".absent"], environment: [:])
        }
        #expect("\(missing)".contains("cannot read"))
    }

    @Test func joinNeverBootstrapsAndTheHTTPAddressIsAdvertised() throws {
        let config = try ServerConfig(
            arguments: ["--node-id", "4", "--join", "--http", "0.0.0.0:8083", "--peers", "1=h1:7080,4=h4:7083"],
            environment: [:])
        #expect(!config.bootstrap)
        #expect(config.advertisedHTTP == PeerAddress(host: "h4", port: 8083))
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--node-id", "1", "--join", "--bootstrap"], environment: [:])
        }
    }

    @Test func logSegmentsAreSixteenMiBUnlessSetWithinBounds() throws {
        #expect(try ServerConfig(arguments: ["--node-id", "1"], environment: [:]).logSegmentBytes == 16 << 20)
        let small = try ServerConfig(arguments: ["--node-id", "1"], environment: ["SANDBOX_LOG_SEGMENT_MB": "1"])
        #expect(small.logSegmentBytes == 1 << 20)
        for bad in ["0", "1025", "16.5", "lots"] {
            #expect(throws: ConfigError.invalid("--log-segment-mb", "1 to 1024 (MiB)")) {
                try ServerConfig(arguments: ["--node-id", "1", "--log-segment-mb", bad], environment: [:])
            }
        }
    }

    @Test func recordedAddressesWinAndRemovedPeersAreDropped() {
        let configured: [NodeID: PeerAddress] = [
            1: PeerAddress(host: "h1", port: 1), 2: PeerAddress(host: "h2", port: 2),
            3: PeerAddress(host: "h3", port: 3),
        ]
        let recorded: [UInt64: MemberAddress] = [4: MemberAddress(node: 4, peer: "h4:4", http: "h4:80")]
        let peers = PeerDirectory.peers(
            configured: configured, recorded: recorded, members: ConfState(voters: [1, 2, 4]), local: 1)
        #expect(peers == [2: PeerAddress(host: "h2", port: 2), 4: PeerAddress(host: "h4", port: 4)])
        let unknown = PeerDirectory.peers(configured: configured, recorded: [:], members: nil, local: 2)
        #expect(unknown.keys.sorted() == [1, 3])
    }
}

/// `sandboxd --dev`: one loopback node on the MVP's address, a throwaway data directory.
@Suite struct DevConfigTests {
    @Test func devIsOneLoopbackNodeOnTheMVPAddressWithAThrowawayDirectory() throws {
        let config = try ServerConfig(arguments: ["--dev"], environment: [:])
        #expect(config.dev && config.bootstrap && config.nodeID == 1)
        #expect(config.httpAddress.description == "127.0.0.1:8080")
        #expect(config.dataDirectory.contains("sandboxd-dev-"))
        let other = try ServerConfig(arguments: ["--dev"], environment: [:])
        #expect(other.dataDirectory != config.dataDirectory)
        let given = try ServerConfig(arguments: ["--dev", "--data-dir", "/tmp/keep"], environment: [:])
        #expect(given.dataDirectory == "/tmp/keep")
    }

    @Test func devRefusesAnyBindAddressButLoopback() {
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--dev", "--http", "0.0.0.0:8080"], environment: [:])
        }
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--dev", "--http", "10.1.2.3:8080"], environment: [:])
        }
        #expect(throws: ConfigError.self) { try ServerConfig(arguments: ["--dev", "--join"], environment: [:]) }
    }
}
