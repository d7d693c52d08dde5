/// A single-server membership change, carried in a `.configChange` log entry.
///
/// Changes take effect on each node when the entry is applied (the runtime calls
/// `RaftNode.applyConfChange`). A leader accepts a new change only once the previous one has
/// been applied, so at most one change is ever uncommitted.
public struct ConfChange: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        /// Adds a voter, or promotes an existing learner to voter.
        case addVoter = 1
        /// Adds a learner: it receives the log but neither votes nor counts for commit.
        case addLearner = 2
        /// Removes a voter or a learner.
        case removeNode = 3
    }

    public var kind: Kind
    public var node: NodeID

    public init(_ kind: Kind, node: NodeID) {
        self.kind = kind
        self.node = node
    }

    /// The 9-byte encoding stored in the entry: kind, then the node id big-endian.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [kind.rawValue]
        bytes.reserveCapacity(9)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: node >> UInt64(shift)))
        }
        return bytes
    }

    /// Decodes `encoded()`; throws for anything else.
    public init(decoding bytes: [UInt8]) throws(ConfChangeDecodingError) {
        guard bytes.count == 9 else { throw .wrongLength(bytes.count) }
        guard let kind = Kind(rawValue: bytes[0]) else { throw .unknownKind(bytes[0]) }
        var node: UInt64 = 0
        for byte in bytes[1...] { node = node << 8 | UInt64(byte) }
        self.init(kind, node: node)
    }
}
