import Raft
import SandboxCluster
import SandboxWire
import Synchronization
import Testing

@testable import SandboxServer

/// A node started empty without bootstrapping answers no vote until it knows a membership that
/// lists it; everything else reaches the driver.
struct VoteGateTests {
    final class Recorder: FrameSink {
        let frames = Mutex<[Frame]>([])
        func receive(_ frame: Frame, from peer: NodeID) { frames.withLock { $0.append(frame) } }
        func reportUnreachable(_ peer: NodeID) {}
        var kinds: [MessageKind] {
            frames.withLock { frames in
                frames.flatMap { frame -> [MessageKind] in
                    guard case .messages(let messages) = frame else { return [] }
                    return messages.map(\.kind)
                }
            }
        }
    }

    func batch(_ kinds: MessageKind...) -> Frame {
        .messages(kinds.map { Message(kind: $0, from: 2, to: 3, term: 5) })
    }

    @Test func votesAreDroppedUntilTheMembershipListsTheNode() {
        let recorder = Recorder()
        let membership = Mutex(ConfState())
        let gate = VoteGate(recorder, node: 3, closed: true) { membership.withLock { $0 } }
        gate.receive(batch(.preVote, .vote), from: 2)
        gate.receive(batch(.append, .vote, .heartbeat), from: 2)
        #expect(recorder.kinds == [.append, .heartbeat])
        membership.withLock { $0 = ConfState(voters: [1, 2]) }
        gate.receive(batch(.vote), from: 2)
        #expect(recorder.kinds == [.append, .heartbeat] && !gate.isOpen, "a membership without it: still closed")
        membership.withLock { $0 = ConfState(voters: [1, 2], learners: [3]) }
        gate.receive(batch(.preVote), from: 2)
        membership.withLock { $0 = ConfState() }
        gate.receive(batch(.vote), from: 1)
        #expect(recorder.kinds == [.append, .heartbeat, .preVote, .vote] && gate.isOpen, "open for good once listed")
    }

    @Test func anOpenGatePassesEverything() {
        let recorder = Recorder()
        let gate = VoteGate(recorder, node: 3, closed: false) { ConfState() }
        gate.receive(batch(.vote, .preVote), from: 2)
        #expect(recorder.kinds == [.vote, .preVote])
    }
}
