import Raft
import SandboxCluster
import SandboxWire
import Synchronization

/// Between the peer transport and the driver of a node that started on an empty data directory
/// without bootstrapping (a new member, or a pod whose disk was lost): until the node knows a
/// membership that lists it (as a voter or a learner: a snapshot or log from the leader), vote
/// and pre-vote requests are dropped, never answered. Such a node may have voted before it lost
/// its log (the cluster can still list its old self as a voter); granting a vote with a
/// forgotten log could elect a leader missing entries it once acknowledged. The candidate sees
/// no answer, as from a node that is down. Once open the gate stays open.
final class VoteGate: FrameSink {
    private let sink: any FrameSink
    private let node: NodeID
    private let membership: @Sendable () -> ConfState
    private let open: Atomic<Bool>

    init(_ sink: any FrameSink, node: NodeID, closed: Bool, membership: @escaping @Sendable () -> ConfState) {
        self.sink = sink
        self.node = node
        self.membership = membership
        open = Atomic(!closed)
    }

    var isOpen: Bool { open.load(ordering: .relaxed) }

    func receive(_ frame: Frame, from peer: NodeID) {
        guard !open.load(ordering: .relaxed), case .messages(let messages) = frame else {
            return sink.receive(frame, from: peer)
        }
        let known = membership()
        if known.voters.contains(node) || known.learners.contains(node) {
            open.store(true, ordering: .relaxed)
            return sink.receive(frame, from: peer)
        }
        let kept = messages.filter { $0.kind != .vote && $0.kind != .preVote }
        if !kept.isEmpty { sink.receive(.messages(kept), from: peer) }
    }

    func reportUnreachable(_ peer: NodeID) { sink.reportUnreachable(peer) }
}
