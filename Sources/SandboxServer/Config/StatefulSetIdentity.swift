import Raft
import SandboxTransport

/// Who this node is in a Kubernetes StatefulSet (`--statefulset`): pod `NAME-K` is node K+1,
/// reached at `NAME-K.SERVICE.NAMESPACE.svc.cluster.local` (the headless service). The first
/// `foundingReplicas` pods found the cluster; a pod past them is *elastic*: it adds itself as a
/// voter when it starts and removes itself when it stops (docs/operations.md, "Scaling"). Pure.
public struct StatefulSetIdentity: Sendable, Hashable {
    public var podBase: String
    public var ordinal: Int
    /// The replica count the cluster was installed with (`--replicas`): pods 0..<this found it.
    public var foundingReplicas: Int
    public var service: String
    public var namespace: String

    public var nodeID: NodeID { NodeID(ordinal + 1) }

    /// A pod past the founding replicas, added by scaling out.
    public var isElastic: Bool { ordinal >= foundingReplicas }

    /// The stable DNS name of pod `ordinal` (through the headless service).
    public func host(ofPod ordinal: Int) -> String {
        "\(podBase)-\(ordinal).\(service).\(namespace).svc.cluster.local"
    }

    /// The founding members, the pods past them among ``probedOrdinals`` and this pod, at
    /// `peerPort`: a node that does not know its membership yet (joining, or rejoining on an
    /// empty disk) must accept the leader's connection wherever the leader runs; once it knows
    /// the membership, the pods that are not members are left out (``PeerDirectory``).
    public func peers(peerPort: Int) -> [NodeID: PeerAddress] {
        var peers: [NodeID: PeerAddress] = [:]
        for member in Array(0..<foundingReplicas) + Array(Self.probedOrdinals) + [ordinal] {
            peers[NodeID(member + 1)] = PeerAddress(host: host(ofPod: member), port: peerPort)
        }
        return peers
    }

    /// The voters a founding pod bootstraps the cluster with.
    public var foundingVoters: [NodeID] { (0..<foundingReplicas).map { NodeID($0 + 1) } }

    /// The founding pods' HTTP addresses (every pod serves on the same port), this pod left out.
    public func foundingHTTP(port: Int) -> [String] {
        (0..<foundingReplicas).filter { $0 != ordinal }.map { http(ofPod: $0, port: port) }
    }

    /// Pods past the founding ones that a founding pod on an empty data directory asks too, by
    /// ordinal: a cluster installed with fewer founding replicas and scaled out may have its
    /// data only there (installed with one, pod 0's lost disk must not found a second cluster).
    public static let probedOrdinals = 0..<9

    /// The elastic pods' HTTP addresses among ``probedOrdinals``, this pod left out.
    public func elasticHTTP(port: Int) -> [String] {
        Self.probedOrdinals.filter { $0 >= foundingReplicas && $0 != ordinal }.map { http(ofPod: $0, port: port) }
    }

    func http(ofPod ordinal: Int, port: Int) -> String {
        PeerAddress(host: host(ofPod: ordinal), port: port).description
    }
}
