import JSON

/// Tenants, agents and their keys, principals and approver groups.
extension StateMachine {
    func executeIdentity(_ command: Command) throws {
        switch command {
        case .createTenant(let id, let name, let actor):
            guard try overlay.get(StateKeys.tenant(id)) == nil else { throw StateError.tenantExists(id) }
            overlay.put(StateKeys.tenant(id), TenantRecord(id: id, name: name, createdMillis: clockMillis).encoded)
            try auditChange(
                .identityChange, action: "create_tenant", actor: actor, tenant: id, agent: nil,
                details: ["name": .string(name)])
        case .createAgent(let tenant, let agent, let keyHash, let actor):
            guard try self.tenant(tenant) != nil else { throw StateError.unknownTenant(tenant) }
            guard try overlay.get(StateKeys.agent(agent)) == nil else { throw StateError.agentExists(agent) }
            guard try overlay.get(StateKeys.agentKey(keyHash)) == nil else { throw StateError.keyInUse }
            overlay.put(StateKeys.agentKey(keyHash), Array(agent.utf8))
            try save(
                AgentRecord(id: agent, tenant: tenant, enabled: true, keyHashes: [keyHash], createdMillis: clockMillis))
            try auditChange(.identityChange, action: "create_agent", actor: actor, tenant: tenant, agent: agent)
        case .addAgentKey(let agent, let keyHash, let actor):
            var record = try existingAgent(agent)
            guard record.keyHashes.count < AgentRecord.maxKeys else {
                throw StateError.tooManyKeys(agent: agent, limit: AgentRecord.maxKeys)
            }
            guard try overlay.get(StateKeys.agentKey(keyHash)) == nil else { throw StateError.keyInUse }
            record.keyHashes.append(keyHash)
            overlay.put(StateKeys.agentKey(keyHash), Array(agent.utf8))
            try save(record)
            try auditChange(.identityChange, action: "add_agent_key", actor: actor, tenant: record.tenant, agent: agent)
        case .revokeAgentKey(let agent, let keyHash, let actor):
            var record = try existingAgent(agent)
            guard let position = record.keyHashes.firstIndex(of: keyHash) else {
                throw StateError.unknownKey(agent: agent)
            }
            record.keyHashes.remove(at: position)
            overlay.delete(StateKeys.agentKey(keyHash))
            try save(record)
            try auditChange(
                .identityChange, action: "revoke_agent_key", actor: actor, tenant: record.tenant, agent: agent)
        case .setAgentEnabled(let agent, let enabled, let actor):
            var record = try existingAgent(agent)
            record.enabled = enabled
            try save(record)
            try auditChange(
                .identityChange, action: enabled ? "enable_agent" : "disable_agent", actor: actor,
                tenant: record.tenant,
                agent: agent)
        default:
            try executePrincipal(command)
        }
    }

    private func executePrincipal(_ command: Command) throws {
        switch command {
        case .createPrincipal(let id, let tokenHash, let role, let tenant, let expires, let actor):
            guard try overlay.get(StateKeys.principal(id)) == nil else { throw StateError.principalExists(id) }
            guard try overlay.get(StateKeys.token(tokenHash)) == nil else { throw StateError.tokenInUse }
            if let tenant, try self.tenant(tenant) == nil { throw StateError.unknownTenant(tenant) }
            let record = PrincipalRecord(
                id: id, tokenHash: tokenHash, role: role, tenant: tenant, expiresAtMillis: expires, revoked: false,
                createdMillis: clockMillis)
            overlay.put(StateKeys.principal(id), record.encoded)
            overlay.put(StateKeys.token(tokenHash), Array(id.utf8))
            try auditChange(
                .identityChange, action: "create_principal", actor: actor, tenant: tenant, agent: nil,
                details: ["principal": .string(id), "role": .string(role.name), "expires_ms": .integer(expires)])
        case .revokePrincipal(let id, let actor):
            guard var record = try principal(id) else { throw StateError.unknownPrincipal(id) }
            record.revoked = true
            overlay.put(StateKeys.principal(id), record.encoded)
            overlay.delete(StateKeys.token(record.tokenHash))
            try auditChange(
                .identityChange, action: "revoke_principal", actor: actor, tenant: record.tenant, agent: nil,
                details: ["principal": .string(id)])
        case .endSessions(let principal, let kind, let actor):
            let key = StateKeys.sessionGeneration(principal, kind: kind)
            let generation = try overlay.get(key).map { bytes in
                try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
            }
            overlay.put(key, ByteWriter.number((generation ?? 0) &+ 1))
            try auditChange(
                .identityChange, action: "end_sessions", actor: actor, tenant: nil, agent: nil,
                details: ["principal": .string(principal), "kind": .integer(UInt64(kind))])
        case .setGroupMember(let group, let principal, let member, let actor):
            guard try self.principal(principal) != nil else { throw StateError.unknownPrincipal(principal) }
            let key = StateKeys.groupMember(group, principal)
            if member { overlay.put(key, []) } else { overlay.delete(key) }
            try auditChange(
                .identityChange, action: member ? "add_group_member" : "remove_group_member", actor: actor,
                tenant: nil, agent: nil, details: ["group": .string(group), "principal": .string(principal)])
        default:
            preconditionFailure("not an identity command: \(command)")
        }
    }

    func existingAgent(_ id: String) throws -> AgentRecord {
        guard let state = try agentState(id) else { throw StateError.unknownAgent(id) }
        return state.record
    }
}
