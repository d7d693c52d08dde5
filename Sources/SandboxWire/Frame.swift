import Raft

/// One unit of the peer protocol. On the wire a frame is a 4-byte big-endian length, then the
/// body: protocol version (u8), frame kind (u8), the kind's fields (docs/cluster.md, "Wire
/// format"). `encoded(limits:)` and `init(decoding:limits:)` convert the body.
public enum Frame: Sendable, Hashable {
    /// The connecting node introduces itself (first frame on every connection).
    case hello(Handshake)
    /// The accepting node's answer when it accepts: its own identity.
    case welcome(Handshake)
    /// The accepting node's answer when it refuses; the connection closes after it.
    case refusal(HandshakeRefusal)
    /// Raft messages, in the order the sender's node produced them.
    case messages([Message])
    /// Proposals a follower forwards to the leader.
    case proposals(ProposalBatch)
    /// The leader's answer to a forwarded batch.
    case outcomes(OutcomeBatch)
    /// One chunk of a snapshot streamed to a follower.
    case snapshotChunk(SnapshotChunkFrame)
    /// Follower to leader: the follower dropped or refused a snapshot stream. Kind 8 without a
    /// stream number (added after the first release of version 1: a node from before closes the
    /// connection on it), kind 9 with one (sent only to a leader whose chunks carry a number, so
    /// only to a release that decodes it).
    case snapshotAbandoned(SnapshotNotice)

    /// Tags of the frame kinds on the wire.
    enum Kind: UInt8 {
        case hello = 1
        case welcome = 2
        case refusal = 3
        case messages = 4
        case proposals = 5
        case outcomes = 6
        case snapshotChunk = 7
        case snapshotAbandoned = 8
        case snapshotStreamAbandoned = 9
    }
}
