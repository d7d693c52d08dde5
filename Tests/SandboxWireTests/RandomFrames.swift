import Raft
import SandboxWire
import TestSupport

/// Random values of every frame kind, every field exercised, within the default limits.
extension SeededGenerator {
    mutating func message() -> Message {
        let kind = pick(MessageKind.allCases)
        var message = Message(
            kind: kind, from: UInt64(below(7) + 1), to: UInt64(below(7) + 1), term: index(), logTerm: index(),
            index: index(), commit: index(), reject: chance(30), rejectHint: index(),
            context: bytes(below(3) == 0 ? below(40) : 0), readRound: next(), isTransfer: chance(20))
        if chance(40) {
            message.entries = (0..<below(6)).map { _ in
                Entry(term: index(), index: index(), kind: chance(20) ? .configChange : .normal, data: bytes(below(64)))
            }
        }
        if kind == .snapshot || chance(10) { message.snapshot = snapshot() }
        return message
    }

    mutating func snapshot() -> Snapshot {
        let conf = ConfState(
            voters: (0..<below(6)).map { _ in UInt64(below(100)) }, learners: (0..<below(3)).map { _ in next() })
        return Snapshot(
            metadata: SnapshotMetadata(index: index(), term: index(), conf: conf),
            data: bytes(chance(20) ? below(50) : 0))
    }

    /// A term or index: small ones mostly, the edges sometimes.
    mutating func index() -> UInt64 {
        switch below(10) {
        case 0: return 0
        case 1: return UInt64(Int64.max)
        case 2: return UInt64.random(in: 0...UInt64(Int64.max), using: &self)
        default: return UInt64(below(1000))
        }
    }

    mutating func text() -> String {
        pick(["", "prod", "cluster-ü", "a b c", "🚀 east", String(repeating: "x", count: 64)])
    }

    mutating func frame() -> Frame {
        switch below(8) {
        case 0:
            return .hello(
                Handshake(
                    clusterID: text(), node: next(), peer: next(), nonce: bytes(below(65)), proof: bytes(below(65))))
        case 1:
            return .welcome(
                Handshake(
                    clusterID: text(), node: next(), peer: next(), nonce: bytes(below(33)), proof: bytes(below(33))))
        case 2: return .refusal(HandshakeRefusal(pick(HandshakeRefusal.Reason.allCases), text()))
        case 3: return .messages((0..<below(5)).map { _ in message() })
        case 4: return .proposals(ProposalBatch(id: next(), proposals: (0..<below(6)).map { _ in bytes(below(80)) }))
        case 5: return .outcomes(OutcomeBatch(id: next(), outcomes: (0..<below(6)).map { _ in outcome() }))
        case 6:
            return .snapshotAbandoned(SnapshotNotice(term: index(), index: index(), stream: chance(50) ? next() : nil))
        default:
            var message = message()
            message.kind = .snapshot
            message.snapshot = snapshot()
            return .snapshotChunk(
                SnapshotChunkFrame(
                    message: message, sequence: UInt32(below(5)), isLast: chance(50), chunk: bytes(below(200))))
        }
    }

    mutating func outcome() -> ProposalOutcome {
        chance(50)
            ? .accepted(index: index(), term: index())
            : .refused(ProposalRefusal(pick(ProposalRefusal.Code.allCases), leader: next(), message: text()))
    }
}
