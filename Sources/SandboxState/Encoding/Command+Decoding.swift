import JSON

extension ByteReader {
    /// An identifier: 1 to `limits.maxIdentifierBytes` bytes of UTF-8 without control characters
    /// (identifiers are parts of keys, separated by a zero byte).
    mutating func identifier(_ field: String, _ limits: StateLimits) throws(DecodingError) -> String {
        let value = try string(field, maxBytes: limits.maxIdentifierBytes)
        try Self.checkIdentifier(value, field)
        return value
    }

    static func checkIdentifier(_ value: String, _ field: String) throws(DecodingError) {
        guard !value.isEmpty else { throw DecodingError("\(field) is empty") }
        for byte in value.utf8 where byte < 0x20 || byte == 0x7F {
            throw DecodingError("\(field) `\(value.debugDescription)` contains a control character")
        }
    }

    mutating func name(_ field: String, _ limits: StateLimits) throws(DecodingError) -> String {
        try string(field, maxBytes: limits.maxNameBytes)
    }

    mutating func hash(_ field: String) throws(DecodingError) -> [UInt8] { try raw(32, field) }

    mutating func mode() throws(DecodingError) -> PolicyMode {
        let raw = try u8("policy mode")
        guard let mode = PolicyMode(rawValue: raw) else { throw DecodingError("unknown policy mode \(raw)") }
        return mode
    }
}

extension Command {
    static func decode(from r: inout ByteReader, limits: StateLimits) throws(DecodingError) -> Command {
        let raw = try r.u8("command tag")
        guard let tag = Tag(rawValue: raw) else { throw DecodingError("unknown command tag \(raw)") }
        switch tag {
        case .noop:
            return .noop
        case .decide:
            return .decide(try DecideCommand.decode(from: &r, limits: limits))
        case .reportLocalDenials:
            return .reportLocalDenials(try LocalDenialReport.decode(from: &r, limits: limits))
        case .vote:
            let approval = try r.u64("approval id")
            let principal = try r.identifier("principal", limits)
            let approve = try r.bool("vote")
            let comment = try r.optionalString("comment", maxBytes: limits.maxCommentBytes)
            return .vote(approval: approval, principal: principal, approve: approve, comment: comment)
        default:
            let actor = try r.name("actor", limits)
            return try decodeAdministrative(tag, actor: actor, from: &r, limits: limits)
        }
    }

    private static func decodeAdministrative(
        _ tag: Tag, actor: String, from r: inout ByteReader, limits: StateLimits
    ) throws(DecodingError) -> Command {
        switch tag {
        case .createTenant:
            return .createTenant(id: try r.identifier("tenant", limits), name: try r.name("name", limits), actor: actor)
        case .createAgent:
            return .createAgent(
                tenant: try r.identifier("tenant", limits), agent: try r.identifier("agent", limits),
                keyHash: try r.hash("key hash"), actor: actor)
        case .addAgentKey:
            return .addAgentKey(agent: try r.identifier("agent", limits), keyHash: try r.hash("key hash"), actor: actor)
        case .revokeAgentKey:
            return .revokeAgentKey(
                agent: try r.identifier("agent", limits), keyHash: try r.hash("key hash"), actor: actor)
        case .setAgentEnabled:
            return .setAgentEnabled(
                agent: try r.identifier("agent", limits), enabled: try r.bool("enabled"), actor: actor)
        case .createPrincipal:
            let id = try r.identifier("principal", limits)
            let hash = try r.hash("token hash")
            let rawRole = try r.u8("role")
            guard let role = Role(rawValue: rawRole) else { throw DecodingError("unknown role \(rawRole)") }
            let tenant = try r.optionalString("tenant", maxBytes: limits.maxIdentifierBytes)
            if let tenant { try ByteReader.checkIdentifier(tenant, "tenant") }
            return .createPrincipal(
                id: id, tokenHash: hash, role: role, tenant: tenant, expiresAtMillis: try r.u64("expiry"), actor: actor)
        case .revokePrincipal:
            return .revokePrincipal(id: try r.identifier("principal", limits), actor: actor)
        case .setGroupMember:
            return .setGroupMember(
                group: try r.identifier("group", limits), principal: try r.identifier("principal", limits),
                member: try r.bool("member"), actor: actor)
        case .endSessions:
            let kind = try r.u8("session kind")
            return .endSessions(principal: try r.identifier("principal", limits), kind: kind, actor: actor)
        default:
            return try decodePolicyOrApproval(tag, actor: actor, from: &r, limits: limits)
        }
    }

    private static func decodePolicyOrApproval(
        _ tag: Tag, actor: String, from r: inout ByteReader, limits: StateLimits
    ) throws(DecodingError) -> Command {
        switch tag {
        case .publishPolicy:
            let agent = try r.identifier("agent", limits)
            let mode = try r.mode()
            return .publishPolicy(
                agent: agent, yaml: try r.text("policy", maxBytes: limits.maxPolicyBytes), mode: mode, actor: actor)
        case .activatePolicy:
            let agent = try r.identifier("agent", limits)
            let mode = try r.mode()
            return .activatePolicy(agent: agent, version: try r.u32("version"), mode: mode, actor: actor)
        case .setPolicyMode:
            let agent = try r.identifier("agent", limits)
            let mode = try r.mode()
            return .setPolicyMode(agent: agent, version: try r.u32("version"), mode: mode, actor: actor)
        case .requestApproval:
            let agent = try r.identifier("agent", limits)
            let tool = try r.name("tool", limits)
            let hash = try r.hash("parameters hash")
            let payload = try r.text("payload", maxBytes: limits.maxPayloadBytes)
            let group = try r.identifier("group", limits)
            let required = try r.u8("required approvals")
            guard (1...16).contains(required) else { throw DecodingError("required approvals \(required) is not 1-16") }
            let ttl = try r.u32("approval ttl")
            guard ttl > 0, ttl <= 30 * 86_400 else {
                throw DecodingError("approval ttl \(ttl) s is not 1 s to 30 days")
            }
            return .requestApproval(
                agent: agent, tool: tool, parametersHash: hash, redactedPayload: payload, group: group,
                requiredApprovals: required, ttlSeconds: ttl, actor: actor)
        case .setMemberAddress:
            let member = try MemberAddress(decoding: &r)
            return .setMemberAddress(node: member.node, peer: member.peer, http: member.http, actor: actor)
        case .setRulesVersion:
            let version = try r.u32("rules version")
            guard version >= RulesVersion.initial else { throw DecodingError("rules version \(version) is below 1") }
            return .setRulesVersion(version: version, actor: actor)
        default:
            throw DecodingError("command tag \(tag.rawValue) is misplaced")
        }
    }
}

extension DecideCommand {
    static func decode(from r: inout ByteReader, limits: StateLimits) throws(DecodingError) -> DecideCommand {
        let requestID = try r.identifier("request id", limits)
        let agent = try r.identifier("agent", limits)
        let node = try r.u64("node")
        let request = try DecisionRequest.decode(from: &r, limits: limits)
        return DecideCommand(requestID: requestID, agent: agent, request: request, node: node)
    }
}

extension LocalDenialReport {
    static func decode(from r: inout ByteReader, limits: StateLimits) throws(DecodingError) -> LocalDenialReport {
        let agent = try r.identifier("agent", limits)
        let node = try r.u64("node")
        let count = Int(try r.u8("denial count"))
        guard count >= 1, count <= limits.maxLocalDenialsPerReport else {
            throw DecodingError("a report holds 1 to \(limits.maxLocalDenialsPerReport) denials, not \(count)")
        }
        var denials: [LocalDenial] = []
        denials.reserveCapacity(count)
        for _ in 0..<count {
            let requestID = try r.identifier("request id", limits)
            let request = try DecisionRequest.decode(from: &r, limits: limits)
            let rule = try r.name("rule", limits)
            let reason = try r.text("reason", maxBytes: limits.maxReasonBytes)
            denials.append(
                LocalDenial(
                    requestID: requestID, request: request, rule: rule, reason: reason,
                    policyVersion: try r.u32("policy version")))
        }
        return LocalDenialReport(agent: agent, node: node, denials: denials)
    }
}

extension DecisionRequest {
    static func decode(from r: inout ByteReader, limits: StateLimits) throws(DecodingError) -> DecisionRequest {
        let kind = try r.u8("request kind")
        switch kind {
        case 1:
            let name = try r.name("tool", limits)
            guard !name.isEmpty else { throw DecodingError("tool name is empty") }
            let text = try r.blob("parameters", maxBytes: limits.maxParameterBytes)
            let parameters: JSONValue
            do {
                parameters = try JSONValue(parsing: text, maxDepth: limits.maxParameterDepth)
            } catch {
                throw DecodingError("parameters: \(error)")
            }
            guard case .object = parameters else { throw DecodingError("parameters must be a JSON object") }
            let depth = try r.u32("chain depth")
            var cost: JSONNumber? = nil
            if let text = try r.optionalString("cost", maxBytes: 64) {
                guard let number = JSONNumber(literal: text), number >= JSONNumber(0) else {
                    throw DecodingError("cost `\(text)` is not a number ≥ 0")
                }
                cost = number
            }
            return .tool(name: name, parameters: parameters, chainDepth: depth, costUSD: cost)
        case 2:
            let method = try r.name("method", limits)
            let url = try r.text("url", maxBytes: limits.maxURLBytes)
            let bodyBytes = try r.bool("body bytes present") ? try r.u64("body bytes") : nil
            let depth = try r.bool("chain depth present") ? try r.u32("chain depth") : nil
            return .http(method: method, url: url, bodyBytes: bodyBytes, chainDepth: depth)
        default:
            throw DecodingError("unknown request kind \(kind)")
        }
    }
}
