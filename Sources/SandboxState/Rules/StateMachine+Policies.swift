import JSON
import SandboxPolicy

/// Publishing policy versions, rollback (activation of an older text as a new version), shadow
/// mode, and the compiled-policy cache.
extension StateMachine {
    func publishPolicy(agent: String, yaml: String, mode: PolicyMode, actor: String, copiedFrom: UInt32) throws
        -> CommandAnswer
    {
        guard let state = try agentState(agent) else { throw StateError.unknownAgent(agent) }
        let hash = SHA256.hash(yaml.utf8)
        let compiled: CompiledPolicy
        if let known = policyTexts.value(for: hash) {
            compiled = known
        } else {
            do {
                compiled = try CompiledPolicy(yaml: yaml)
            } catch {
                throw StateError.invalidPolicy(agent: agent, message: error.description)
            }
            policyTexts.set(compiled, for: hash)
        }
        var head = state.head
        guard head.latest < UInt32.max else { throw StateError.policyTooMany(agent: agent) }
        let version = head.latest + 1
        let record = PolicyVersionRecord(
            agent: agent, version: version, yaml: yaml, sha256: hash, author: actor, timeMillis: clockMillis,
            mode: mode,
            enforcedBefore: head.enforced, copiedFrom: copiedFrom)
        overlay.put(StateKeys.policyVersion(agent, version), record.encoded)
        head.latest = version
        switch mode {
        case .enforce:
            head.enforced = version
            head.shadow = 0
            Self.setLimits(&head, from: compiled)
        case .shadow:
            head.shadow = version
        }
        try save(head, for: agent)
        policies.set(compiled, for: PolicyCacheKey(agent: agent, version: version))
        try auditChange(
            .policyChange, action: copiedFrom == 0 ? "publish_policy" : "activate_policy", actor: actor,
            tenant: state.record.tenant, agent: agent,
            details: [
                "policy_version": .integer(version), "sha256": .string(hash.hexString), "mode": .string(mode.name),
                "copied_from": .integer(copiedFrom),
            ])
        return .policy(agent: agent, version: version, sha256: hash, mode: mode)
    }

    func activatePolicy(agent: String, version: UInt32, mode: PolicyMode, actor: String) throws -> CommandAnswer {
        guard let old = try policyVersion(agent, version) else {
            throw StateError.unknownPolicyVersion(agent: agent, version: version)
        }
        return try publishPolicy(agent: agent, yaml: old.yaml, mode: mode, actor: actor, copiedFrom: version)
    }

    func setPolicyMode(agent: String, version: UInt32, mode: PolicyMode, actor: String) throws -> CommandAnswer {
        guard let state = try agentState(agent) else { throw StateError.unknownAgent(agent) }
        var head = state.head
        guard let record = try policyVersion(agent, version) else {
            throw StateError.unknownPolicyVersion(agent: agent, version: version)
        }
        guard version == head.latest else {
            throw StateError.notLatestVersion(agent: agent, version: version, latest: head.latest)
        }
        switch mode {
        case .enforce:
            head.enforced = version
            head.shadow = 0
            guard let compiled = try compiledPolicy(agent, version) else {
                throw StateError.invalidPolicy(agent: agent, message: "version \(version) no longer compiles")
            }
            Self.setLimits(&head, from: compiled)
        case .shadow:
            // Served versions only grow (clients refuse a lower one): demoting the enforced
            // version would enforce the one before it. Refused here, in apply, so that no
            // promotion proposed meanwhile can race a check made before proposing.
            guard head.enforced != version else { throw StateError.wouldLowerVersion(agent: agent, version: version) }
            head.shadow = version
        }
        try save(head, for: agent)
        try auditChange(
            .policyChange, action: "set_policy_mode", actor: actor, tenant: state.record.tenant, agent: agent,
            details: ["policy_version": .integer(version), "mode": .string(mode.name)])
        return .policy(agent: agent, version: version, sha256: record.sha256, mode: mode)
    }

    /// A compiled version, from the cache or compiled from its stored text; nil if the stored
    /// text no longer compiles (a newer engine refusing an old policy: decisions fail closed).
    /// Compiled policies are shared by text (SHA-256): agents with the same policy compile it
    /// once, and a version missing from the per-version cache costs one read, not a compile.
    func compiledPolicy(_ agent: String, _ version: UInt32) throws -> CompiledPolicy? {
        let key = PolicyCacheKey(agent: agent, version: version)
        if let cached = policies.value(for: key) { return cached }
        guard let record = try policyVersion(agent, version) else {
            throw StateStorageError("policy version \(version) of `\(agent)` is missing from the store")
        }
        let compiled: CompiledPolicy
        if let known = policyTexts.value(for: record.sha256) {
            compiled = known
        } else {
            guard let fresh = try? CompiledPolicy(yaml: record.yaml) else { return nil }
            compiled = fresh
            policyTexts.set(compiled, for: record.sha256)
        }
        policies.set(compiled, for: key)
        return compiled
    }

    /// The daily limits of the enforced policy, in the head (so the ledger needs no policy).
    static func setLimits(_ head: inout PolicyHead, from policy: CompiledPolicy?) {
        let limits = policy?.ledgerLimits
        head.maxRequestsPerDay = limits?.maxRequestsPerDay.map { UInt64(max($0, 0)) }
        head.maxMicrodollarsPerDay = limits?.maxMicroUSDPerDay.map { UInt64(max($0, 0)) }
    }
}
