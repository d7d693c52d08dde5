import Raft

extension Frame {
    /// Decodes a frame body (without the length prefix). Any input either decodes or throws a
    /// `WireError`; nothing is allocated beyond what the limits and the input's size allow.
    public init(decoding body: [UInt8], limits: WireLimits = WireLimits()) throws(WireError) {
        guard body.count <= limits.maxFrameBytes else {
            throw .limitExceeded(field: "frame", value: UInt64(body.count), limit: UInt64(limits.maxFrameBytes))
        }
        var reader = ByteReader(body)
        let version = try reader.u8("version")
        guard version == WireFormat.version else { throw .unsupportedVersion(version) }
        let rawKind = try reader.u8("frame kind")
        guard let kind = Kind(rawValue: rawKind) else { throw .unknownTag(field: "frame kind", value: rawKind) }
        switch kind {
        case .hello: self = .hello(try Self.decodeHandshake(from: &reader, limits: limits))
        case .welcome: self = .welcome(try Self.decodeHandshake(from: &reader, limits: limits))
        case .refusal:
            let rawReason = try reader.u8("refusal reason")
            guard let reason = HandshakeRefusal.Reason(rawValue: rawReason) else {
                throw .unknownTag(field: "refusal reason", value: rawReason)
            }
            self = .refusal(HandshakeRefusal(reason, try reader.text("refusal message", limit: limits.maxTextBytes)))
        case .messages:
            let count = try reader.count(
                "message count", limit: limits.maxMessagesPerFrame, minimumItemBytes: MessageCoding.minimumMessageBytes)
            var messages: [Message] = []
            messages.reserveCapacity(count)
            for _ in 0..<count { messages.append(try MessageCoding.decode(from: &reader, limits: limits)) }
            self = .messages(messages)
        case .proposals:
            let id = try reader.u64("batch id")
            let count = try reader.count("proposal count", limit: limits.maxProposalsPerBatch, minimumItemBytes: 4)
            var proposals: [[UInt8]] = []
            proposals.reserveCapacity(count)
            for _ in 0..<count { proposals.append(try reader.blob("proposal", limit: limits.maxEntryBytes)) }
            self = .proposals(ProposalBatch(id: id, proposals: proposals))
        case .outcomes: self = .outcomes(try Self.decodeOutcomes(from: &reader, limits: limits))
        case .snapshotChunk: self = .snapshotChunk(try Self.decodeChunk(from: &reader, limits: limits))
        case .snapshotAbandoned:
            self = .snapshotAbandoned(try Self.decodeNotice(from: &reader, limits: limits, numbered: false))
        case .snapshotStreamAbandoned:
            self = .snapshotAbandoned(try Self.decodeNotice(from: &reader, limits: limits, numbered: true))
        }
        try reader.finish()
    }

    private static func decodeHandshake(from reader: inout ByteReader, limits: WireLimits) throws(WireError)
        -> Handshake
    {
        let clusterID = try reader.text("cluster id", limit: limits.maxClusterIDBytes)
        let node = try reader.u64("node id")
        let peer = try reader.u64("peer id")
        let nonce = try reader.blob("nonce", limit: Handshake.maxAuthenticationBytes)
        let proof = try reader.blob("proof", limit: Handshake.maxAuthenticationBytes)
        return Handshake(clusterID: clusterID, node: node, peer: peer, nonce: nonce, proof: proof)
    }

    private static func decodeOutcomes(from reader: inout ByteReader, limits: WireLimits) throws(WireError)
        -> OutcomeBatch
    {
        let id = try reader.u64("batch id")
        let count = try reader.count("outcome count", limit: limits.maxProposalsPerBatch, minimumItemBytes: 14)
        var outcomes: [ProposalOutcome] = []
        outcomes.reserveCapacity(count)
        for _ in 0..<count {
            let rawTag = try reader.u8("outcome")
            switch OutcomeTag(rawValue: rawTag) {
            case .accepted:
                let index = try reader.u64("outcome index", atMost: limits.maxIndex)
                outcomes.append(.accepted(index: index, term: try reader.u64("outcome term", atMost: limits.maxIndex)))
            case .refused:
                let rawCode = try reader.u8("refusal code")
                guard let code = ProposalRefusal.Code(rawValue: rawCode) else {
                    throw .unknownTag(field: "refusal code", value: rawCode)
                }
                let leader = try reader.u64("leader")
                let message = try reader.text("refusal message", limit: limits.maxTextBytes)
                outcomes.append(.refused(ProposalRefusal(code, leader: leader, message: message)))
            case nil:
                throw .unknownTag(field: "outcome", value: rawTag)
            }
        }
        return OutcomeBatch(id: id, outcomes: outcomes)
    }

    private static func decodeNotice(from reader: inout ByteReader, limits: WireLimits, numbered: Bool)
        throws(WireError) -> SnapshotNotice
    {
        let term = try reader.u64("snapshot term", atMost: limits.maxIndex)
        let index = try reader.u64("snapshot index", atMost: limits.maxIndex)
        guard numbered else { return SnapshotNotice(term: term, index: index) }
        return SnapshotNotice(term: term, index: index, stream: try reader.u64("snapshot stream"))
    }

    private static func decodeChunk(from reader: inout ByteReader, limits: WireLimits) throws(WireError)
        -> SnapshotChunkFrame
    {
        let message = try MessageCoding.decode(from: &reader, limits: limits)
        guard message.kind == .snapshot, message.snapshot != nil else {
            throw .invalidValue(field: "snapshot chunk message", reason: "is not a snapshot message")
        }
        let sequence = try reader.u32("chunk sequence")
        let isLast = try reader.bool("last chunk flag")
        let chunk = try reader.blob("snapshot chunk", limit: limits.maxSnapshotChunkBytes)
        return SnapshotChunkFrame(message: message, sequence: sequence, isLast: isLast, chunk: chunk)
    }
}
