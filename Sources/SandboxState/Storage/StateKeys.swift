/// The key layout (docs/state.md, "Key layout"): one ASCII letter and `/` per table, then the
/// record's identity. Identifiers never contain control characters, so a zero byte separates
/// the parts of a composite key and a prefix scan of `agent + 0` never reaches `agent2`.
/// Numbers are big-endian so that keys sort in numeric order.
public enum StateKeys {
    public static let clock = Array("m/clock".utf8)
    public static let auditHead = Array("m/audit".utf8)
    public static let idempotencyCount = Array("m/idem".utf8)
    /// The apply rules version the cluster moved to (``RulesVersion``; absent: 1).
    public static let rulesVersion = Array("m/rules".utf8)
    /// The state digest (``StateDigest``), itself not part of it.
    public static let digest = Array("m/digest".utf8)

    public static let tenantPrefix = Array("t/".utf8)
    public static let agentPrefix = Array("g/".utf8)
    public static let agentKeyPrefix = Array("k/".utf8)
    public static let principalPrefix = Array("p/".utf8)
    public static let tokenPrefix = Array("o/".utf8)
    public static let groupPrefix = Array("r/".utf8)
    public static let policyHeadPrefix = Array("h/".utf8)
    public static let policyVersionPrefix = Array("v/".utf8)
    public static let ledgerPrefix = Array("l/".utf8)
    public static let ledgerDayPrefix = Array("d/".utf8)
    public static let approvalPrefix = Array("A/".utf8)
    public static let approvalStatusPrefix = Array("s/".utf8)
    public static let approvalBindingPrefix = Array("x/".utf8)
    public static let approvalExpiryPrefix = Array("e/".utf8)
    /// Approvals by tenant and status (since the open-approval caps; older ones are not in it).
    public static let tenantApprovalStatusPrefix = Array("S/".utf8)
    /// Counts of open approvals per agent and per tenant (those in the tenant index).
    public static let agentOpenApprovalsPrefix = Array("w/".utf8)
    public static let tenantOpenApprovalsPrefix = Array("W/".utf8)
    public static let auditPrefix = Array("a/".utf8)
    public static let idempotencyPrefix = Array("i/".utf8)
    public static let idempotencyExpiryPrefix = Array("j/".utf8)
    public static let idempotencyByAgentPrefix = Array("q/".utf8)
    public static let idempotencyAgentCountPrefix = Array("n/".utf8)
    /// Key layout version 2 (apply rules 2): one region per agent, `I/<agent>\0` then a tag —
    /// `r<requestID>` an answer, `s<seq>` its request ids in answer order, `t` the agent's row
    /// (its request-id counts and today's ledger) — so the keys a decide writes sort together,
    /// the new `s` key right before the row.
    public static let agentRegionPrefix = Array("I/".utf8)
    /// Console session generations (`endSessions`).
    public static let sessionGenerationPrefix = Array("z/".utf8)
    /// Cluster members' addresses (`setMemberAddress`).
    public static let memberPrefix = Array("c/".utf8)

    static func join(_ prefix: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        var key = prefix
        for (offset, part) in parts.enumerated() {
            if offset > 0 { key.append(0) }
            key += part
        }
        return key
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(value)
        return bytes
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(value)
        return bytes
    }

    /// A key of `prefix` and the parts `append` writes, built in one allocation of `capacity`
    /// bytes (keys are built several times per decide; concatenating arrays allocated each part).
    @inline(__always)
    static func key(_ prefix: [UInt8], capacity: Int, _ append: (inout [UInt8]) -> Void) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(prefix.count + capacity)
        key += prefix
        append(&key)
        return key
    }

    static func readBigEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public static func tenant(_ id: String) -> [UInt8] { tenantPrefix + Array(id.utf8) }
    public static func agent(_ id: String) -> [UInt8] { key(agentPrefix, capacity: id.utf8.count) { $0 += id.utf8 } }
    public static func agentKey(_ hash: [UInt8]) -> [UInt8] { agentKeyPrefix + hash }
    public static func principal(_ id: String) -> [UInt8] { principalPrefix + Array(id.utf8) }
    public static func token(_ hash: [UInt8]) -> [UInt8] { tokenPrefix + hash }
    public static func groupMember(_ group: String, _ principal: String) -> [UInt8] {
        join(groupPrefix, Array(group.utf8), Array(principal.utf8))
    }
    public static func policyHead(_ agent: String) -> [UInt8] {
        key(policyHeadPrefix, capacity: agent.utf8.count) { $0 += agent.utf8 }
    }
    /// All versions of one agent's policy.
    public static func policyVersions(_ agent: String) -> [UInt8] { policyVersionPrefix + Array(agent.utf8) + [0] }
    public static func policyVersion(_ agent: String, _ version: UInt32) -> [UInt8] {
        policyVersions(agent) + bigEndian(version)
    }
    public static func ledger(_ agent: String, day: UInt32) -> [UInt8] {
        key(ledgerPrefix, capacity: agent.utf8.count + 5) {
            $0 += agent.utf8
            $0.append(0)
            $0.appendBigEndian(day)
        }
    }
    /// Ledger rows by day, for the retention sweep.
    public static func ledgerDay(_ day: UInt32, agent: String) -> [UInt8] {
        key(ledgerDayPrefix, capacity: 8 + agent.utf8.count) {
            $0.appendBigEndian(UInt64(day))
            $0 += agent.utf8
        }
    }
    public static func approval(_ id: UInt64) -> [UInt8] { approvalPrefix + bigEndian(id) }
    public static func approvalsWithStatus(_ status: ApprovalStatus) -> [UInt8] {
        approvalStatusPrefix + [status.rawValue]
    }
    public static func approvalStatus(_ status: ApprovalStatus, _ id: UInt64) -> [UInt8] {
        approvalsWithStatus(status) + bigEndian(id)
    }
    public static func approvalBinding(agent: String, tool: String, hash: [UInt8]) -> [UInt8] {
        join(approvalBindingPrefix, Array(agent.utf8), Array(tool.utf8), hash)
    }
    public static func approvalExpiry(_ expiresMillis: UInt64, _ id: UInt64) -> [UInt8] {
        approvalExpiryPrefix + bigEndian(expiresMillis) + bigEndian(id)
    }
    /// One tenant's approvals with one status (a prefix).
    public static func tenantApprovals(_ tenant: String, _ status: ApprovalStatus) -> [UInt8] {
        join(tenantApprovalStatusPrefix, Array(tenant.utf8), [status.rawValue])
    }
    public static func tenantApprovalStatus(_ tenant: String, _ status: ApprovalStatus, _ id: UInt64) -> [UInt8] {
        tenantApprovals(tenant, status) + bigEndian(id)
    }
    public static func agentOpenApprovals(_ agent: String) -> [UInt8] { agentOpenApprovalsPrefix + Array(agent.utf8) }
    public static func tenantOpenApprovals(_ tenant: String) -> [UInt8] {
        tenantOpenApprovalsPrefix + Array(tenant.utf8)
    }
    public static func sessionGeneration(_ principal: String, kind: UInt8) -> [UInt8] {
        sessionGenerationPrefix + [kind] + Array(principal.utf8)
    }
    public static func audit(_ sequence: UInt64) -> [UInt8] {
        key(auditPrefix, capacity: 8) { $0.appendBigEndian(sequence) }
    }
    public static func idempotency(agent: String, requestID: String) -> [UInt8] {
        key(idempotencyPrefix, capacity: agent.utf8.count + 1 + requestID.utf8.count) {
            $0 += agent.utf8
            $0.append(0)
            $0 += requestID.utf8
        }
    }
    public static func idempotencyExpiry(_ timeMillis: UInt64, agent: String, requestID: String) -> [UInt8] {
        key(idempotencyExpiryPrefix, capacity: 8 + agent.utf8.count + 1 + requestID.utf8.count) {
            $0.appendBigEndian(timeMillis)
            $0 += agent.utf8
            $0.append(0)
            $0 += requestID.utf8
        }
    }
    /// One agent's request ids in answer order (audit sequence).
    public static func idempotencyByAgent(_ agent: String) -> [UInt8] {
        key(idempotencyByAgentPrefix, capacity: agent.utf8.count + 1) {
            $0 += agent.utf8
            $0.append(0)
        }
    }
    public static func idempotencyByAgent(_ agent: String, _ sequence: UInt64) -> [UInt8] {
        key(idempotencyByAgentPrefix, capacity: agent.utf8.count + 9) {
            $0 += agent.utf8
            $0.append(0)
            $0.appendBigEndian(sequence)
        }
    }
    public static func idempotencyAgentCount(_ agent: String) -> [UInt8] {
        key(idempotencyAgentCountPrefix, capacity: agent.utf8.count) { $0 += agent.utf8 }
    }

    // MARK: key layout version 2 (docs/state.md, "Key layout")

    /// `I/<agent>\0<tag>` followed by what `append` writes.
    @inline(__always)
    static func region(_ agent: String, _ tag: UInt8, capacity: Int, _ append: (inout [UInt8]) -> Void = { _ in })
        -> [UInt8]
    {
        key(agentRegionPrefix, capacity: agent.utf8.count + 2 + capacity) {
            $0 += agent.utf8
            $0.append(0)
            $0.append(tag)
            append(&$0)
        }
    }

    /// The agent's row (``AgentRow``: request-id counts and today's ledger).
    public static func agentRow(_ agent: String) -> [UInt8] { region(agent, UInt8(ascii: "t"), capacity: 0) }
    /// The answer stored under one of the agent's request ids.
    public static func agentRequestID(_ agent: String, _ requestID: String) -> [UInt8] {
        region(agent, UInt8(ascii: "r"), capacity: requestID.utf8.count) { $0 += requestID.utf8 }
    }
    /// The agent's request ids in answer order (a prefix).
    public static func agentRequestIDsInOrder(_ agent: String) -> [UInt8] {
        region(agent, UInt8(ascii: "s"), capacity: 8)
    }
    public static func agentRequestIDInOrder(_ agent: String, _ sequence: UInt64) -> [UInt8] {
        region(agent, UInt8(ascii: "s"), capacity: 8) { $0.appendBigEndian(sequence) }
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
