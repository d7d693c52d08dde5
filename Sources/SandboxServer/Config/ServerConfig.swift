import Raft
import SandboxState
import SandboxTransport

/// How one `sandboxd` node runs: from flags, then environment variables (`SANDBOX_*`), then
/// defaults; in StatefulSet mode the node id and peers come from the pod's name and the
/// headless service (docs/cluster.md, "Configuration").
public struct ServerConfig: Sendable, Hashable {
    public var nodeID: NodeID = 0
    public var dataDirectory = "./data"
    public var httpAddress = PeerAddress(host: "127.0.0.1", port: 8080)
    public var peerAddress = PeerAddress(host: "127.0.0.1", port: 7080)
    /// Every member (this node included) and its peer address.
    public var peers: [NodeID: PeerAddress] = [:]
    public var clusterID = "sandbox"
    /// Start a new cluster from `peers` when the data directory is empty (a founding member);
    /// otherwise the node waits to be added and receives a snapshot.
    public var bootstrap = false
    /// `Authorization: Bearer` token of the bootstrap administrator (never logged).
    public var adminToken: String?
    /// `sandboxd --dev`: one node on loopback, a throwaway data directory unless one is given,
    /// and admin and approver calls without a token accepted from loopback only.
    public var dev = false
    /// Delete the data directory when the node stops (`--dev` without `--data-dir`).
    public var removeDataOnExit = false
    /// The API's TLS certificate chain and private key (PEM files); nil: plain HTTP.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Milliseconds per Raft tick (elections after 10 to 20 ticks).
    public var tickMilliseconds = 50
    /// Exit when the process with this PID is gone (test harnesses and scripts, so that a
    /// crashed harness leaves no node running).
    public var exitWithParent: Int32?
    /// The HTTP address other nodes and clients use for this node (default: `--http`, with the
    /// host of this node's `--peers` entry when it listens on every interface).
    public var advertiseHTTP: PeerAddress?
    /// Compact the log once it holds this many applied entries (keeping `compactionRetain`).
    public var compactionThreshold: UInt64 = 20_000
    public var compactionRetain: UInt64 = 5_000
    /// The size of each Raft log segment file (`StorageOptions.logSegmentBytes`; 16 MiB). A new
    /// node writes two, zero-filled, before it serves: test harnesses that start hundreds of
    /// nodes use 1 MiB.
    public var logSegmentBytes = 16 << 20
    /// The state machine's bounds; the open-approval caps come from the configuration and, like
    /// the signing key, must be the same on every node (they decide outcomes).
    public var stateLimits = StateLimits()
    /// The secret every member shares: peers prove they know it (HMAC-SHA256 challenge and
    /// response in both directions) before any Raft traffic flows. `nil`: peers are not
    /// authenticated (loopback development only; docs/cluster.md).
    public var clusterSecret: [UInt8]?
    /// The cluster's Ed25519 policy-signing key (32 raw bytes; the same on every node) and the
    /// public keys of earlier signing keys (ServerConfig+Signing.swift).
    public var signingKey: [UInt8]?
    public var retiredSigningKeys: [[UInt8]] = []
    /// The pod's place in a StatefulSet (`--statefulset`), nil otherwise.
    public var statefulSet: StatefulSetIdentity?
    /// A founding pod rejoining its running cluster (it found it at start on an empty data
    /// directory, or resumes a rejoin recorded there): it adds itself as an elastic pod does
    /// (`SandboxNode.resolveRejoin`); nil otherwise.
    var rejoin: RejoinIntent?
    /// Names this node resolves itself when it dials peers and other nodes (`--hosts-file`).
    public var hosts = HostTable()

    /// This node's peer address as the others dial it.
    public var advertisedPeer: PeerAddress { peers[nodeID] ?? peerAddress }

    /// This node's HTTP address as the others and clients reach it.
    public var advertisedHTTP: PeerAddress {
        if let advertiseHTTP { return advertiseHTTP }
        guard ["0.0.0.0", "::", ""].contains(httpAddress.host) else { return httpAddress }
        return PeerAddress(host: advertisedPeer.host, port: httpAddress.port)
    }

    public init() {}

    /// Reads `arguments` (without the program name) over `environment` over the `--config`
    /// file.
    public init(arguments: [String], environment: [String: String]) throws(ConfigError) {
        var flags: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            // An error names a flag, never a value: a mistyped `--admin_token=...` or a token
            // given without its flag would otherwise reach the log.
            guard argument.hasPrefix("--") else {
                throw .invalid(
                    "argument \(index + 1)", "expected a --flag (the argument is not shown: it may be a secret)")
            }
            var name = String(argument.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else if Self.switches.contains(name) {
                value = "true"
            } else {
                index += 1
                guard index < arguments.count else { throw .invalid(argument, "needs a value") }
                value = arguments[index]
            }
            guard Self.options[name] != nil || Self.switches.contains(name) else {
                throw .invalid(
                    "--\(name)", "unknown flag (known: \(Self.options.keys.sorted().joined(separator: ", ")))")
            }
            flags[name] = value
            index += 1
        }
        var values: [String: String] = [:]
        if let path = flags["config"] ?? environment["SANDBOX_CONFIG"] { values = try Self.fileValues(path) }
        for (name, variable) in Self.options {
            if let value = environment[variable] { values[name] = value }
        }
        values.merge(flags) { $1 }
        try self.init(values: values, environment: environment)
    }

    /// Flag names and their environment variables.
    static let options: [String: String] = [
        "node-id": "SANDBOX_NODE_ID", "data-dir": "SANDBOX_DATA_DIR", "http": "SANDBOX_HTTP",
        "peer-listen": "SANDBOX_PEER_LISTEN", "peers": "SANDBOX_PEERS", "cluster-id": "SANDBOX_CLUSTER_ID",
        "bootstrap": "SANDBOX_BOOTSTRAP", "admin-token": "SANDBOX_ADMIN_TOKEN", "tick-ms": "SANDBOX_TICK_MS",
        "statefulset": "SANDBOX_STATEFULSET", "replicas": "SANDBOX_REPLICAS", "service": "SANDBOX_SERVICE",
        "namespace": "SANDBOX_NAMESPACE", "pod-name": "HOSTNAME", "exit-with-parent": "SANDBOX_EXIT_WITH_PARENT",
        "join": "SANDBOX_JOIN", "advertise-http": "SANDBOX_ADVERTISE_HTTP", "compact-after": "SANDBOX_COMPACT_AFTER",
        "compact-retain": "SANDBOX_COMPACT_RETAIN", "log-segment-mb": "SANDBOX_LOG_SEGMENT_MB",
        "config": "SANDBOX_CONFIG",
        "cluster-secret-file": "SANDBOX_CLUSTER_SECRET_FILE", "cluster-secret": "SANDBOX_CLUSTER_SECRET",
        "dev": "SANDBOX_DEV", "hosts-file": "SANDBOX_HOSTS_FILE", "tls-cert": "SANDBOX_TLS_CERT",
        "tls-key": "SANDBOX_TLS_KEY",
    ].merging(signingOptions) { $1 }
    static let switches: Set<String> = ["bootstrap", "statefulset", "join", "dev"]
}

/// A configuration that cannot be used, with what to change.
public enum ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let what, let why): return "configuration: \(what): \(why)"
        }
    }
}
