import Foundation
import Raft
import SandboxCluster
import SandboxWire

/// An in-process network for driver tests: every frame goes through the wire codec (encoded,
/// decoded) and is delivered in order to the destination's driver; a node marked down neither
/// sends nor receives (frames to or from it vanish, as on a real network).
///
/// `@unchecked Sendable`: `sinks`, `down` and `snapshotChunkDelay` are guarded by `lock`.
final class MemoryNetwork: @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [NodeID: any FrameSink] = [:]
    private var down: Set<NodeID> = []
    private var chunkDelay: Duration = .zero

    /// How long each snapshot chunk takes to send (on the snapshot's own sending thread): a large
    /// state on a slow link.
    var snapshotChunkDelay: Duration {
        get { lock.withLock { chunkDelay } }
        set { lock.withLock { chunkDelay = newValue } }
    }

    func attach(_ node: NodeID, _ sink: any FrameSink) {
        lock.withLock {
            sinks[node] = sink
            down.remove(node)
        }
    }

    func detach(_ node: NodeID) {
        lock.withLock {
            sinks[node] = nil
            down.insert(node)
        }
    }

    /// Cuts a running node off: frames to or from it vanish until `heal` (its driver runs on).
    func isolate(_ node: NodeID) {
        lock.withLock { _ = down.insert(node) }
    }

    func heal(_ node: NodeID) {
        lock.withLock { _ = down.remove(node) }
    }

    func endpoint(for node: NodeID) -> Endpoint { Endpoint(network: self, node: node) }

    fileprivate func deliver(_ frame: Frame, from: NodeID, to: NodeID) -> Bool {
        guard let body = try? frame.encoded() else { return false }
        let sink: (any FrameSink)? = lock.withLock { down.contains(from) || down.contains(to) ? nil : sinks[to] }
        guard let sink, let decoded = try? Frame(decoding: body) else { return true }  // lost in the network
        sink.receive(decoded, from: from)
        return true
    }

    final class Endpoint: PeerTransport {
        let network: MemoryNetwork
        let node: NodeID

        init(network: MemoryNetwork, node: NodeID) {
            self.network = network
            self.node = node
        }

        func send(_ frame: Frame, to peer: NodeID) -> Bool { network.deliver(frame, from: node, to: peer) }

        func sendSnapshotChunk(_ frame: Frame, to peer: NodeID, until cancelled: () -> Bool) -> Bool {
            let delay = network.snapshotChunkDelay
            if delay > .zero { Thread.sleep(forTimeInterval: delay / .seconds(1)) }
            return !cancelled() && network.deliver(frame, from: node, to: peer)
        }
    }
}
