// swift-tools-version:6.2
import PackageDescription

// Layers (see docs/architecture.md): dependencies point downward only.
//   sandboxctl / raft-sim / jsonschema-conformance   (executables)
//   SandboxPolicy (pure) -> JSONSchema (pure) -> JSON (pure: the value model)
//   SandboxPolicy -> NetworkAddress (pure: strict URLs, hosts, IP addresses, CIDR blocks)
//   RaftSimulation (test support) -> Raft (pure)
//   SandboxState (pure: the replicated state machine) -> SandboxPolicy, Raft (entries), swift-crypto (SHA-256)
//   SandboxStateStore (SandboxState's storage on RocksDB) -> SandboxState, SandboxStorage
//   RaftSimulationRocksDB (test support) -> RaftSimulation, SandboxStorage
//   SandboxStorage -> Raft (storage protocol), CRocksDB, CLZ4
//   SandboxWire (pure: the peer codec) -> Raft
//   SandboxCluster (the node runtime) -> SandboxStorage, SandboxWire, Raft
//   SandboxTransport (TCP between nodes) -> SandboxCluster, SandboxWire, SwiftNIO
//   SandboxSigning (Ed25519 policy bundles) -> JSON, swift-crypto
//   SandboxSDK (the agents' client) -> SandboxPolicy, SandboxSigning, async-http-client
//   sandboxd -> SandboxServer (configuration, HTTP API: Hummingbird) -> SandboxTransport, SandboxState
let package = Package(
    name: "AgentSandbox",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .library(name: "NetworkAddress", targets: ["NetworkAddress"]),
        .library(name: "SandboxPolicy", targets: ["SandboxPolicy"]),
        .library(name: "Raft", targets: ["Raft"]),
        .library(name: "SandboxStorage", targets: ["SandboxStorage"]),
        .library(name: "SandboxWire", targets: ["SandboxWire"]),
        .library(name: "SandboxCluster", targets: ["SandboxCluster"]),
        .library(name: "SandboxState", targets: ["SandboxState"]),
        .library(name: "SandboxStateStore", targets: ["SandboxStateStore"]),
        .library(name: "SandboxTransport", targets: ["SandboxTransport"]),
        .library(name: "SandboxSigning", targets: ["SandboxSigning"]),
        .library(name: "SandboxSDK", targets: ["SandboxSDK"]),
        .executable(name: "sandboxctl", targets: ["sandboxctl"]),
        .executable(name: "sandboxd", targets: ["sandboxd"]),
        .executable(name: "jsonschema-conformance", targets: ["jsonschema-conformance"]),
        .executable(name: "raft-sim", targets: ["raft-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // MARK: pure cores
        .target(name: "JSON"),
        .target(name: "JSONSchema", dependencies: ["JSON"]),
        // Strict URLs, host names, Punycode, IP addresses, CIDR blocks, address classes.
        .target(name: "NetworkAddress"),
        .target(
            name: "SandboxPolicy",
            dependencies: ["JSON", "JSONSchema", "NetworkAddress", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "Raft"),
        .target(name: "RaftSimulation", dependencies: ["Raft"]),
        // swift-crypto for SHA-256 only (BoringSSL's, with the CPU's SHA extensions): pure computation.
        .target(
            name: "SandboxState",
            dependencies: ["JSON", "SandboxPolicy", "Raft", .product(name: "Crypto", package: "swift-crypto")]),

        // MARK: storage
        // Linked statically (Sources/CRocksDB/module.modulemap): no pkg-config, whose flags name
        // the shared library.
        .systemLibrary(name: "CRocksDB", providers: [.apt(["librocksdb-dev"])]),
        // No pkg-config for LZ4 either: its flags put `-L/usr/lib/<multiarch>` ahead of any `-L`
        // given to `swift build`, and so Debian's `librocksdb.a` ahead of one built without
        // assertions (`-Xlinker -L .rocksdb-release/lib`; docs/storage.md, "Linking").
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        .target(name: "SandboxStorage", dependencies: ["CRocksDB", "CLZ4", "Raft"]),
        // The state machine's storage protocol on the RocksDB state store.
        .target(name: "SandboxStateStore", dependencies: ["SandboxState", "SandboxStorage"]),
        // The simulator's nodes on the RocksDB store (raft-sim --storage rocksdb).
        .target(name: "RaftSimulationRocksDB", dependencies: ["RaftSimulation", "SandboxStorage", "TestSupport"]),

        // MARK: cluster runtime
        // The peer wire codec: pure (no NIO), so its tests build fast.
        .target(name: "SandboxWire", dependencies: ["Raft"]),
        // The node runtime: drives Raft with the RocksDB store over a transport.
        // Cross-module optimization in release: sandboxd's module sees the driver's bodies and
        // specializes `RaftDriver<SandboxMachine>` (generic metadata lookups 3.5% -> 1.7% of the
        // cluster's CPU at 64 clients, bench/README.md "Cluster").
        .target(
            name: "SandboxCluster",
            dependencies: ["Raft", "SandboxStorage", "SandboxWire", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        // The peer transport over TCP (SwiftNIO): connections, handshake, bounded queues, reconnects.
        .target(
            name: "SandboxTransport",
            dependencies: [
                "Raft", "SandboxWire", "SandboxCluster",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // Signed policy bundles: Ed25519 (swift-crypto),
        // key ids, the key ring, canonical bundle bytes.
        .target(
            name: "SandboxSigning", dependencies: ["JSON", .product(name: "Crypto", package: "swift-crypto")]),

        // The node: configuration, the state machine on the driver, the HTTP API (Hummingbird).
        .target(
            name: "SandboxServer",
            dependencies: [
                "JSON", "Raft", "SandboxCluster", "SandboxTransport", "SandboxState", "SandboxStateStore",
                "SandboxStorage", "SandboxSigning", "SandboxPolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),

        // The client agents embed (docs/sdk.md): decisions with failover and fail-closed, the
        // verified policy cache, local denials reported to the audit. NIO stays out of its API.
        .target(
            name: "SandboxSDK",
            dependencies: [
                "JSON", "SandboxPolicy", "SandboxSigning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        // MARK: executables
        .executableTarget(
            name: "sandboxd",
            dependencies: [
                "SandboxServer", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "sandboxctl",
            dependencies: [
                "JSON", "JSONSchema", "SandboxPolicy", "SandboxState", "SandboxSigning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "jsonschema-conformance",
            dependencies: ["JSON", "JSONSchema", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "raft-sim",
            dependencies: [
                "RaftSimulation", "RaftSimulationRocksDB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Child process for the storage crash tests (killed with SIGKILL by the tests).
        .executableTarget(name: "storage-crash-worker", dependencies: ["SandboxStorage"]),

        // MARK: benchmarks (run in release: see bench/README.md)
        .executableTarget(
            name: "jsonschema-bench", dependencies: ["JSON", "JSONSchema"], path: "bench/jsonschema",
            exclude: ["peers", "data", "run.sh", "count.sh", "profile.py", "profile.sh"]),
        .executableTarget(
            name: "policy-bench", dependencies: ["JSON", "NetworkAddress", "SandboxPolicy"], path: "bench/policy",
            exclude: ["peers", "run.sh", "count.sh"]),
        .executableTarget(
            name: "raft-bench", dependencies: ["Raft", "RaftSimulation"], path: "bench/raft",
            exclude: ["mutation-table.sh"]),
        .executableTarget(name: "storage-bench", dependencies: ["SandboxStorage"], path: "bench/storage"),
        .executableTarget(
            name: "state-bench", dependencies: ["SandboxState", "SandboxStateStore", "SandboxStorage", "Raft", "JSON"],
            path: "bench/state", exclude: ["count.sh", "groups.sh"]),
        .executableTarget(
            name: "audit-bench", dependencies: ["SandboxState", "SandboxStateStore", "SandboxStorage", "Raft", "JSON"],
            path: "bench/audit", exclude: ["run.sh"]),
        // The load generator of bench/cluster/run.sh (sandboxd against etcd).
        .executableTarget(
            name: "cluster-bench", dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "bench/cluster",
            exclude: [
                "run.sh", "stat.sh", "offcpu.sh", "level.sh", "offcpu.py", "report.py", "policy.yaml", "rounds.sh",
                "rounds.py",
            ]),

        // MARK: demos
        // The demo agent of scripts/demo: fake tools, a story narrated decision by decision, on
        // SandboxSDK (async-http-client for the approver's and the auditor's own calls).
        .executableTarget(
            name: "demo-agent",
            dependencies: [
                "JSON", "SandboxState", "SandboxSDK",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "demos/swift/Sources"),

        // MARK: tests
        // What every test target shares (seeded PRNG, temporary directories).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSON", "JSONSchema", "TestSupport"]),
        .testTarget(name: "NetworkAddressTests", dependencies: ["NetworkAddress", "TestSupport"]),
        .testTarget(
            name: "SandboxPolicyTests", dependencies: ["JSON", "NetworkAddress", "SandboxPolicy", "TestSupport"]),
        .testTarget(name: "RaftTests", dependencies: ["Raft", "RaftSimulation"], exclude: ["Interaction"]),
        .testTarget(
            name: "SandboxStorageTests",
            dependencies: ["SandboxStorage", "Raft", "RaftSimulation", "RaftSimulationRocksDB", "TestSupport"]),
        .testTarget(name: "SandboxSigningTests", dependencies: ["SandboxSigning", "JSON", "TestSupport"]),
        .testTarget(name: "SandboxWireTests", dependencies: ["SandboxWire", "Raft", "TestSupport"]),
        // A counter state machine on the RocksDB store, for the cluster tests.
        .target(
            name: "ClusterTestSupport", dependencies: ["SandboxCluster", "SandboxStorage", "Raft"],
            path: "Tests/ClusterTestSupport"),
        .testTarget(
            name: "SandboxClusterTests",
            dependencies: [
                "SandboxCluster", "SandboxStorage", "SandboxWire", "Raft", "TestSupport", "ClusterTestSupport",
            ]),
        .testTarget(
            name: "SandboxTransportTests",
            dependencies: [
                "SandboxTransport", "SandboxCluster", "SandboxStorage", "SandboxWire", "Raft", "TestSupport",
                "ClusterTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // Live `sandboxd` clusters on 127.0.0.1 for the multi-process suites (LocalCluster, raw HTTP,
        // answers checked against docs/openapi.yaml).
        .target(
            name: "ServerTestSupport",
            dependencies: [
                "TestSupport", "JSON", "JSONSchema", "SandboxPolicy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/ServerTestSupport"),
        // Multi-process tests of sandboxd on 127.0.0.1.
        .testTarget(
            name: "SandboxServerTests",
            dependencies: [
                "SandboxServer", "SandboxState", "SandboxStorage", "SandboxTransport", "SandboxSigning", "Raft",
                "TestSupport", "ServerTestSupport", "SandboxPolicy", "JSON", "JSONSchema",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        // The SDK against live 3-node clusters (multi-process, like SandboxServerTests).
        .testTarget(
            name: "SandboxSDKTests",
            dependencies: ["SandboxSDK", "ServerTestSupport", "TestSupport", "JSON", "SandboxSigning", "SandboxPolicy"]),
        .testTarget(
            name: "SandboxStateTests",
            dependencies: [
                "SandboxState", "SandboxStateStore", "SandboxStorage", "SandboxPolicy", "JSON", "Raft", "TestSupport",
            ]),
    ]
)
