import JSON

extension Command {
    /// The one-byte tag that starts a command's fields.
    enum Tag: UInt8 {
        case noop = 0
        case createTenant = 1
        case createAgent = 2
        case addAgentKey = 3
        case revokeAgentKey = 4
        case setAgentEnabled = 5
        case createPrincipal = 6
        case revokePrincipal = 7
        case setGroupMember = 8
        case endSessions = 9
        case publishPolicy = 16
        case activatePolicy = 17
        case setPolicyMode = 18
        case decide = 32
        case vote = 33
        case requestApproval = 34
        case reportLocalDenials = 35
        case setMemberAddress = 48
        case setRulesVersion = 49
    }

    func encode(into w: inout ByteWriter) {
        switch self {
        case .noop:
            w.u8(Tag.noop.rawValue)
        case .createTenant(let id, let name, let actor):
            w.u8(Tag.createTenant.rawValue)
            w.string(actor)
            w.string(id)
            w.string(name)
        case .createAgent(let tenant, let agent, let keyHash, let actor):
            w.u8(Tag.createAgent.rawValue)
            w.string(actor)
            w.string(tenant)
            w.string(agent)
            w.raw(keyHash)
        case .addAgentKey(let agent, let keyHash, let actor):
            w.u8(Tag.addAgentKey.rawValue)
            w.string(actor)
            w.string(agent)
            w.raw(keyHash)
        case .revokeAgentKey(let agent, let keyHash, let actor):
            w.u8(Tag.revokeAgentKey.rawValue)
            w.string(actor)
            w.string(agent)
            w.raw(keyHash)
        case .setAgentEnabled(let agent, let enabled, let actor):
            w.u8(Tag.setAgentEnabled.rawValue)
            w.string(actor)
            w.string(agent)
            w.bool(enabled)
        case .createPrincipal(let id, let tokenHash, let role, let tenant, let expires, let actor):
            w.u8(Tag.createPrincipal.rawValue)
            w.string(actor)
            w.string(id)
            w.raw(tokenHash)
            w.u8(role.rawValue)
            w.optionalString(tenant)
            w.u64(expires)
        case .revokePrincipal(let id, let actor):
            w.u8(Tag.revokePrincipal.rawValue)
            w.string(actor)
            w.string(id)
        case .setGroupMember(let group, let principal, let member, let actor):
            w.u8(Tag.setGroupMember.rawValue)
            w.string(actor)
            w.string(group)
            w.string(principal)
            w.bool(member)
        case .endSessions(let principal, let kind, let actor):
            w.u8(Tag.endSessions.rawValue)
            w.string(actor)
            w.u8(kind)
            w.string(principal)
        default:
            encodeRest(into: &w)
        }
    }

    private func encodeRest(into w: inout ByteWriter) {
        switch self {
        case .publishPolicy(let agent, let yaml, let mode, let actor):
            w.u8(Tag.publishPolicy.rawValue)
            w.string(actor)
            w.string(agent)
            w.u8(mode.rawValue)
            w.text(yaml)
        case .activatePolicy(let agent, let version, let mode, let actor):
            w.u8(Tag.activatePolicy.rawValue)
            w.string(actor)
            w.string(agent)
            w.u8(mode.rawValue)
            w.u32(version)
        case .setPolicyMode(let agent, let version, let mode, let actor):
            w.u8(Tag.setPolicyMode.rawValue)
            w.string(actor)
            w.string(agent)
            w.u8(mode.rawValue)
            w.u32(version)
        case .decide(let decide):
            w.u8(Tag.decide.rawValue)
            decide.encode(into: &w)
        case .vote(let approval, let principal, let approve, let comment):
            w.u8(Tag.vote.rawValue)
            w.u64(approval)
            w.string(principal)
            w.bool(approve)
            w.optionalString(comment)
        case .requestApproval(let agent, let tool, let hash, let payload, let group, let required, let ttl, let actor):
            w.u8(Tag.requestApproval.rawValue)
            w.string(actor)
            w.string(agent)
            w.string(tool)
            w.raw(hash)
            w.text(payload)
            w.string(group)
            w.u8(required)
            w.u32(ttl)
        case .setMemberAddress(let node, let peer, let http, let actor):
            w.u8(Tag.setMemberAddress.rawValue)
            w.string(actor)
            MemberAddress(node: node, peer: peer, http: http).encode(into: &w)
        case .reportLocalDenials(let report):
            w.u8(Tag.reportLocalDenials.rawValue)
            report.encode(into: &w)
        case .setRulesVersion(let version, let actor):
            w.u8(Tag.setRulesVersion.rawValue)
            w.string(actor)
            w.u32(version)
        default:
            preconditionFailure("encodeRest called for \(self)")
        }
    }
}

extension DecideCommand {
    func encode(into w: inout ByteWriter) {
        w.string(requestID)
        w.string(agent)
        w.u64(node)
        request.encode(into: &w)
    }
}

extension LocalDenialReport {
    func encode(into w: inout ByteWriter) {
        w.string(agent)
        w.u64(node)
        w.u8(UInt8(clamping: denials.count))
        for denial in denials.prefix(Int(UInt8.max)) {
            w.string(denial.requestID)
            denial.request.encode(into: &w)
            w.string(denial.rule)
            w.text(denial.reason)
            w.u32(denial.policyVersion)
        }
    }
}

extension DecisionRequest {
    func encode(into w: inout ByteWriter) {
        switch self {
        case .tool(let name, let parameters, let depth, let cost):
            w.u8(1)
            w.string(name)
            w.text(parameters.serialized())
            w.u32(depth)
            w.optionalString(cost?.description)
        case .http(let method, let url, let bodyBytes, let depth):
            w.u8(2)
            w.string(method)
            w.text(url)
            w.bool(bodyBytes != nil)
            if let bodyBytes { w.u64(bodyBytes) }
            w.bool(depth != nil)
            if let depth { w.u32(depth) }
        }
    }
}
