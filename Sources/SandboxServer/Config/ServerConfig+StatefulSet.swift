import Raft
import SandboxTransport

extension ServerConfig {
    /// The voters a bootstrap starts the cluster with: every configured peer; in StatefulSet
    /// mode the founding pods (`peers` lists the pods past them too).
    public var foundingVoters: [NodeID] { statefulSet?.foundingVoters ?? peers.keys.sorted() }

    /// StatefulSet mode: the node id, the peers and the advertised HTTP address come from the
    /// pod's name (`HOSTNAME`) and the headless service. A founding pod bootstraps on an empty
    /// data directory; an elastic one (ordinal at or past `--replicas`) never does: it adds itself.
    mutating func applyStatefulSet(_ values: [String: String]) throws(ConfigError) {
        guard let pod = values["pod-name"], let dash = pod.lastIndex(of: "-"), dash != pod.startIndex,
            let ordinal = Int(pod[pod.index(after: dash)...]), ordinal >= 0, ordinal < 10_000
        else { throw .invalid("--pod-name", "expected NAME-ORDINAL (the pod's HOSTNAME), e.g. sandbox-2") }
        let base = String(pod[..<dash])
        guard let replicas = Int(values["replicas"] ?? "3"), (1...99).contains(replicas) else {
            throw .invalid("--replicas", "the founding replica count: 1 to 99 (3 or 5 recommended)")
        }
        let identity = StatefulSetIdentity(
            podBase: base, ordinal: ordinal, foundingReplicas: replicas,
            service: values["service"] ?? "\(base)-peers", namespace: values["namespace"] ?? "default")
        statefulSet = identity
        nodeID = identity.nodeID
        peers = identity.peers(peerPort: peerAddress.port)
        if values["advertise-http"] == nil {
            advertiseHTTP = PeerAddress(host: identity.host(ofPod: ordinal), port: httpAddress.port)
        }
        if identity.isElastic {
            guard !Self.flag(values["bootstrap"]) else {
                throw .invalid(
                    "--bootstrap", "pod \(pod) is past the \(replicas) founding replicas: it joins, never bootstraps")
            }
            bootstrap = false
        } else if values["bootstrap"] == nil {
            bootstrap = true
        }
    }
}
