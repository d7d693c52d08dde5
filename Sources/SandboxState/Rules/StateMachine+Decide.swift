import JSON
import SandboxPolicy

/// The main path (docs/state.md, "decide"): idempotency first, the agent's policy as of this
/// log position, approvals, the budget check and debit in one step, the audit record, the
/// answer stored under the request id.
extension StateMachine {
    /// The policy's verdict before approvals and budgets.
    struct Verdict {
        var outcome: DecisionAnswer.Outcome
        var reason: String
        var rule: String
        var approval: ApprovalRequirement?
        var policy: CompiledPolicy?
        var version: UInt32
    }

    func decide(_ command: DecideCommand, index: UInt64) throws -> DecisionAnswer {
        var previous = try idempotencyEntry(agent: command.agent, requestID: command.requestID)
        if let stored = previous, stored.timeMillis + limits.idempotencyWindowMillis <= clockMillis {
            previous = nil  // outside the window (not swept yet): a new request
            try forget(stored, agent: command.agent, requestID: command.requestID)
        }
        if let previous { return try replay(previous) }
        guard let state = try agentState(command.agent) else { throw StateError.unknownAgent(command.agent) }
        let request = command.request.policyRequest
        let verdict = try evaluate(request, for: state)
        let cost = request.costMicrodollars
        var answer = DecisionAnswer(
            requestID: command.requestID, agent: command.agent, outcome: verdict.outcome, reason: verdict.reason,
            rule: verdict.rule, decisionID: 0, approvalID: nil, budget: nil, policyVersion: verdict.version,
            shadow: try shadowResult(request, for: state), costMicrodollars: 0, timeMillis: clockMillis,
            replayed: false)
        var row = try ledgerRow(command.agent)
        switch verdict.outcome {
        case .deny:
            break
        case .allow:
            if let refusal = overspend(row, cost: cost, head: state.head) {
                answer.deny(refusal)
            } else {
                row = try debit(command.agent, cost: cost)
                answer.costMicrodollars = cost
            }
        case .needsApproval:
            row = try resolveApproval(&answer, command, verdict, state, row: row, cost: cost, index: index)
        }
        answer.budget = budgetStatus(row, head: state.head)
        answer.decisionID = appendDecisionAudit(
            answer, node: command.node, tenant: state.record.tenant, request: command.request, policy: verdict.policy)
        try remember(
            IdempotencyEntry(
                sequence: answer.decisionID, timeMillis: clockMillis, outcome: answer.outcome,
                approvalID: answer.outcome == .needsApproval ? answer.approvalID : nil),
            agent: command.agent, requestID: command.requestID)
        return answer
    }

    /// The stored answer for a retry: a request id is decided once. A `needs_approval` answer
    /// stays that answer; the agent collects its approval with a new request id for the same
    /// call (a late duplicate of the first attempt — a forwarded proposal re-sent after its
    /// client gave up — must not consume an approval no client is told about).
    private func replay(_ entry: IdempotencyEntry) throws -> DecisionAnswer {
        guard let bytes = try overlay.get(StateKeys.audit(entry.sequence)) else {
            throw StateStorageError("audit record \(entry.sequence) of a stored answer is missing")
        }
        let record = try stored { () throws(DecodingError) in try AuditRecord(sequence: entry.sequence, decoding: bytes)
        }
        guard let body = record.body, let answer = DecisionAnswer(auditBody: body, sequence: entry.sequence) else {
            throw StateStorageError("audit record \(entry.sequence) does not hold a decision")
        }
        return answer
    }

    private func evaluate(_ request: PolicyRequest, for state: AgentState) throws -> Verdict {
        let head = state.head
        guard state.record.enabled else {
            return Verdict(
                outcome: .deny, reason: "agent `\(state.record.id)` is disabled", rule: "agent.disabled", approval: nil,
                policy: nil, version: head.enforced)
        }
        guard head.enforced != 0 else {
            return Verdict(
                outcome: .deny, reason: "agent `\(state.record.id)` has no enforced policy (fail closed)",
                rule: "policy.missing", approval: nil, policy: nil, version: 0)
        }
        guard let policy = try compiledPolicy(state.record.id, head.enforced) else {
            return Verdict(
                outcome: .deny, reason: "policy version \(head.enforced) no longer compiles (fail closed)",
                rule: "policy.invalid", approval: nil, policy: nil, version: head.enforced)
        }
        let decision = policy.evaluate(request)
        return Verdict(
            outcome: DecisionAnswer.Outcome(decision.outcome), reason: reasonText(decision.reason),
            rule: decision.rule, approval: decision.approval, policy: policy, version: head.enforced)
    }

    /// The reason's sentence (``Decision/explanation``), built once per distinct reason: building
    /// one (string interpolation) cost about 2,600 instructions per decide, and an agent's
    /// decides mostly repeat their reasons. Only a cache: the text depends on the reason alone.
    /// The last reason is compared first: hashing one costs about 900 instructions.
    private func reasonText(_ reason: DecisionReason) -> String {
        if let last = lastReason, last.reason == reason { return last.text }
        let text: String
        if let kept = reasonTexts[reason] {
            text = kept
        } else {
            text = reason.description
            if reasonTexts.count >= limits.maxCachedReasonTexts { reasonTexts.removeAll(keepingCapacity: true) }
            reasonTexts[reason] = text
        }
        lastReason = (reason, text)
        return text
    }

    private func shadowResult(_ request: PolicyRequest, for state: AgentState) throws -> DecisionAnswer.ShadowResult? {
        let version = state.head.shadow
        guard version != 0, let policy = try compiledPolicy(state.record.id, version) else { return nil }
        let decision = policy.evaluate(request)
        return DecisionAnswer.ShadowResult(
            version: version, outcome: DecisionAnswer.Outcome(decision.outcome), rule: decision.rule)
    }

    /// `needs_approval`: an approved approval bound to the same parameters is consumed (if the
    /// budget allows); a pending one is returned; otherwise a new one is created (also after a
    /// denial or an expiry: a person decides again). Returns the ledger row after any debit.
    private func resolveApproval(
        _ answer: inout DecisionAnswer, _ command: DecideCommand, _ verdict: Verdict, _ state: AgentState,
        row: LedgerRow, cost: UInt64, index: UInt64
    ) throws -> LedgerRow {
        guard case .tool(let tool, let parameters, _, _) = command.request else { return row }
        let hash = SHA256.hash(CanonicalJSON.encode(parameters))
        if let refusal = overspend(row, cost: cost, head: state.head) {
            answer.deny(refusal)
            return row
        }
        let requirement =
            verdict.approval ?? ApprovalRequirement(requiredApprovals: 1, group: "human", ttlSeconds: 3600)
        // An approval requested directly (`POST /v1/approvals`) names its own group and quorum:
        // it stands for this decision only when it is at least as strict as the policy asks.
        if let open = try openApproval(agent: command.agent, tool: tool, hash: hash),
            open.group == requirement.group, open.requiredApprovals >= requirement.requiredApprovals
        {
            answer.approvalID = open.id
            guard open.status == .approved else { return row }
            try consume(open, by: command.requestID)
            let approvers = open.votes.filter(\.approve).map { "`\($0.principal)`" }.joined(separator: ", ")
            answer.outcome = .allow
            answer.reason = "approved by \(approvers) (approval \(open.id)): \(verdict.reason)"
            answer.costMicrodollars = cost
            return try debit(command.agent, cost: cost)
        }
        if let refusal = try openApprovalRefusal(agent: command.agent, tenant: state.record.tenant) {
            answer.deny((reason: refusal.description, rule: "approval.limit"))
            return row
        }
        let redacted = verdict.policy?.redact(parameters) ?? parameters
        let approval = ApprovalRecord(
            id: index, agent: command.agent, tenant: state.record.tenant, tool: tool, parametersHash: hash,
            redactedParameters: redacted.serialized(), rule: verdict.rule, reason: verdict.reason,
            requiredApprovals: requirement.requiredApprovals, group: requirement.group, createdMillis: clockMillis,
            expiresMillis: clockMillis + UInt64(max(requirement.ttlSeconds, 1)) * 1000)
        try save(approval, previous: nil)
        answer.approvalID = index
        return row
    }
}

extension DecisionAnswer {
    mutating func deny(_ refusal: (reason: String, rule: String)) {
        outcome = .deny
        reason = refusal.reason
        rule = refusal.rule
        costMicrodollars = 0
    }
}

extension DecisionAnswer.Outcome {
    public init(_ outcome: Decision.Outcome) {
        switch outcome {
        case .allow: self = .allow
        case .deny: self = .deny
        case .needsApproval: self = .needsApproval
        }
    }
}
