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

    /// The founding members and this pod, at `peerPort`.
    public func peers(peerPort: Int) -> [NodeID: PeerAddress] {
        var peers: [NodeID: PeerAddress] = [:]
        for member in Array(0..<foundingReplicas) + [ordinal] {
            peers[NodeID(member + 1)] = PeerAddress(host: host(ofPod: member), port: peerPort)
        }
        return peers
    }

    /// The founding pods' HTTP addresses (every pod serves on the same port), this pod left out.
    public func foundingHTTP(port: Int) -> [String] {
        (0..<foundingReplicas).filter { $0 != ordinal }.map {
            PeerAddress(host: host(ofPod: $0), port: port).description
        }
    }
}
