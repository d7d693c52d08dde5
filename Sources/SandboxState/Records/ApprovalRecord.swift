/// A request for human approval, bound to one agent, tool and parameters hash.
public struct ApprovalRecord: Sendable, Hashable {
    /// The index of the log entry that created it (unique in the cluster).
    public var id: UInt64
    public var agent: String
    public var tenant: String
    public var tool: String
    /// SHA-256 of the canonical parameters (sorted keys): a changed parameter needs a new approval.
    public var parametersHash: [UInt8]
    /// The parameters after the policy's redaction, as JSON text.
    public var redactedParameters: String
    public var rule: String
    public var reason: String
    public var requiredApprovals: Int
    public var group: String
    public var status: ApprovalStatus
    public var createdMillis: UInt64
    public var expiresMillis: UInt64
    public var votes: [ApprovalVote]
    /// When it was approved, denied, expired or consumed (0 while pending).
    public var resolvedMillis: UInt64
    /// The request id of the decision that consumed it.
    public var consumedBy: String?

    /// Votes an approval holds at most (16 approvals plus a deny).
    static let maxVotes = 17

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 160 + redactedParameters.utf8.count)
        w.u8(1)
        w.string(agent)
        w.string(tenant)
        w.string(tool)
        w.raw(parametersHash)
        w.text(redactedParameters)
        w.string(rule)
        w.text(reason)
        w.u8(UInt8(requiredApprovals))
        w.string(group)
        w.u8(status.rawValue)
        w.u64(createdMillis)
        w.u64(expiresMillis)
        w.u64(resolvedMillis)
        w.optionalString(consumedBy)
        w.u8(UInt8(votes.count))
        for vote in votes {
            w.string(vote.principal)
            w.bool(vote.approve)
            w.u64(vote.timeMillis)
            w.optionalString(vote.comment)
        }
        return w.bytes
    }

    init(id: UInt64, decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        let big = 16 << 20
        let short = Int(UInt16.max)
        try RecordVersion.check(&r, "approval")
        self.id = id
        agent = try r.string("agent", maxBytes: short)
        tenant = try r.string("tenant", maxBytes: short)
        tool = try r.string("tool", maxBytes: short)
        parametersHash = try r.raw(32, "parameters hash")
        redactedParameters = try r.text("parameters", maxBytes: big)
        rule = try r.string("rule", maxBytes: short)
        reason = try r.text("reason", maxBytes: big)
        requiredApprovals = Int(try r.u8("required approvals"))
        group = try r.string("group", maxBytes: short)
        let rawStatus = try r.u8("status")
        guard let status = ApprovalStatus(rawValue: rawStatus) else {
            throw DecodingError("unknown status \(rawStatus)")
        }
        self.status = status
        createdMillis = try r.u64("created")
        expiresMillis = try r.u64("expires")
        resolvedMillis = try r.u64("resolved")
        consumedBy = try r.optionalString("consumed by", maxBytes: short)
        let count = Int(try r.u8("vote count"))
        guard count <= Self.maxVotes else { throw DecodingError("approval holds \(count) votes") }
        votes = []
        for _ in 0..<count {
            votes.append(
                ApprovalVote(
                    principal: try r.string("voter", maxBytes: short), approve: try r.bool("vote"),
                    timeMillis: try r.u64("vote time"), comment: try r.optionalString("comment", maxBytes: short)))
        }
    }

    init(
        id: UInt64, agent: String, tenant: String, tool: String, parametersHash: [UInt8], redactedParameters: String,
        rule: String, reason: String, requiredApprovals: Int, group: String, createdMillis: UInt64,
        expiresMillis: UInt64
    ) {
        self.id = id
        self.agent = agent
        self.tenant = tenant
        self.tool = tool
        self.parametersHash = parametersHash
        self.redactedParameters = redactedParameters
        self.rule = rule
        self.reason = reason
        self.requiredApprovals = requiredApprovals
        self.group = group
        self.status = .pending
        self.createdMillis = createdMillis
        self.expiresMillis = expiresMillis
        self.votes = []
        self.resolvedMillis = 0
        self.consumedBy = nil
    }

    /// The status as seen at `timeMillis`: an open approval past its expiry is expired even
    /// before the state machine's sweep records it.
    public func status(at timeMillis: UInt64) -> ApprovalStatus {
        status.isOpen && timeMillis >= expiresMillis ? .expired : status
    }
}
