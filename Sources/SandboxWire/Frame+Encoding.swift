import Raft

extension Frame {
    /// The frame body (without the length prefix). Throws when a field exceeds `limits`: the
    /// receiving node would refuse the frame, so the sender must split it or drop it.
    public func encoded(limits: WireLimits = WireLimits()) throws(WireError) -> [UInt8] {
        var writer = ByteWriter(capacity: estimatedBytes)
        writer.u8(WireFormat.version)
        writer.u8(kind.rawValue)
        switch self {
        case .hello(let handshake), .welcome(let handshake):
            try MessageCoding.check("cluster id", handshake.clusterID.utf8.count, limits.maxClusterIDBytes)
            writer.text(handshake.clusterID)
            writer.u64(handshake.node)
            writer.u64(handshake.peer)
            try MessageCoding.check("nonce", handshake.nonce.count, Handshake.maxAuthenticationBytes)
            try MessageCoding.check("proof", handshake.proof.count, Handshake.maxAuthenticationBytes)
            writer.blob(handshake.nonce)
            writer.blob(handshake.proof)
        case .refusal(let refusal):
            writer.u8(refusal.reason.rawValue)
            writer.text(refusal.message, truncatingTo: limits.maxTextBytes)
        case .messages(let messages):
            try MessageCoding.check("message count", messages.count, limits.maxMessagesPerFrame)
            writer.u32(UInt32(messages.count))
            for message in messages { try MessageCoding.encode(message, into: &writer, limits: limits) }
        case .proposals(let batch):
            try MessageCoding.check("proposal count", batch.proposals.count, limits.maxProposalsPerBatch)
            writer.u64(batch.id)
            writer.u32(UInt32(batch.proposals.count))
            for proposal in batch.proposals {
                try MessageCoding.check("proposal", proposal.count, limits.maxEntryBytes)
                writer.blob(proposal)
            }
        case .outcomes(let batch):
            try encode(batch, into: &writer, limits: limits)
        case .snapshotChunk(let frame):
            try encode(frame, into: &writer, limits: limits)
        case .snapshotAbandoned(let notice):
            try MessageCoding.check("snapshot term", notice.term, limits.maxIndex)
            try MessageCoding.check("snapshot index", notice.index, limits.maxIndex)
            writer.u64(notice.term)
            writer.u64(notice.index)
            if let stream = notice.stream { writer.u64(stream) }
        }
        try MessageCoding.check("frame", writer.bytes.count, limits.maxFrameBytes)
        return writer.bytes
    }

    var kind: Kind {
        switch self {
        case .hello: return .hello
        case .welcome: return .welcome
        case .refusal: return .refusal
        case .messages: return .messages
        case .proposals: return .proposals
        case .outcomes: return .outcomes
        case .snapshotChunk: return .snapshotChunk
        case .snapshotAbandoned(let notice): return notice.stream == nil ? .snapshotAbandoned : .snapshotStreamAbandoned
        }
    }

    private var estimatedBytes: Int {
        switch self {
        case .messages(let messages): return messages.reduce(8) { $0 + $1.byteSize }
        case .proposals(let batch): return batch.proposals.reduce(16) { $0 + $1.count + 4 }
        case .snapshotChunk(let frame): return frame.chunk.count + 256
        default: return 64
        }
    }

    private func encode(_ batch: OutcomeBatch, into writer: inout ByteWriter, limits: WireLimits) throws(WireError) {
        try MessageCoding.check("outcome count", batch.outcomes.count, limits.maxProposalsPerBatch)
        writer.u64(batch.id)
        writer.u32(UInt32(batch.outcomes.count))
        for outcome in batch.outcomes {
            switch outcome {
            case .accepted(let index, let term):
                try MessageCoding.check("outcome index", index, limits.maxIndex)
                try MessageCoding.check("outcome term", term, limits.maxIndex)
                writer.u8(OutcomeTag.accepted.rawValue)
                writer.u64(index)
                writer.u64(term)
            case .refused(let refusal):
                writer.u8(OutcomeTag.refused.rawValue)
                writer.u8(refusal.code.rawValue)
                writer.u64(refusal.leader)
                writer.text(refusal.message, truncatingTo: limits.maxTextBytes)
            }
        }
    }

    private func encode(_ frame: SnapshotChunkFrame, into writer: inout ByteWriter, limits: WireLimits)
        throws(WireError)
    {
        guard frame.message.kind == .snapshot, frame.message.snapshot != nil else {
            throw .invalidValue(field: "snapshot chunk message", reason: "is not a snapshot message")
        }
        try MessageCoding.check("snapshot chunk", frame.chunk.count, limits.maxSnapshotChunkBytes)
        try MessageCoding.encode(frame.message, into: &writer, limits: limits)
        writer.u32(frame.sequence)
        writer.bool(frame.isLast)
        writer.blob(frame.chunk)
    }
}

/// Tags of `ProposalOutcome` on the wire.
enum OutcomeTag: UInt8 {
    case accepted = 1
    case refused = 2
}
