import JSON
import SandboxPolicy
import SandboxState

/// A small, obviously-correct model of the state machine's rules in plain dictionaries. It uses
/// the policy engine for the policy's verdict (that is SandboxPolicy's job, tested there) and
/// re-implements what SandboxState adds: idempotency, approvals, budgets, the audit sequence.
struct ReferenceModel {
    struct Approval {
        var agent: String
        var tool: String
        var hash: [UInt8]
        var required: Int
        var group: String
        var expires: UInt64
        var status: ApprovalStatus
        var votes: [String: Bool] = [:]
        var voteOrder: [String] = []

        func status(at time: UInt64) -> ApprovalStatus {
            (status == .pending || status == .approved) && time >= expires ? .expired : status
        }
    }

    struct Stored {
        var answer: DecisionAnswer
    }

    var clock: UInt64 = 0
    var sequence: UInt64 = 0
    var enforced: [String: CompiledPolicy] = [:]
    var versions: [String: UInt32] = [:]
    var ledger: [String: [UInt32: (requests: UInt64, micro: UInt64)]] = [:]
    var approvals: [UInt64: Approval] = [:]
    var answers: [String: DecisionAnswer] = [:]
    /// Each agent's stored request ids, oldest answer first; at most `perAgentCount` of them
    /// still inside the window.
    var answerOrder: [String: [String]] = [:]
    var perAgentCount = Int.max
    /// Principal → (role, groups).
    var principals: [String: (role: Role, groups: Set<String>)] = [:]

    mutating func tick(_ time: UInt64) { clock = max(clock, time) }

    mutating func audit() -> UInt64 {
        sequence += 1
        return sequence
    }

    mutating func publish(_ agent: String, _ yaml: String) {
        versions[agent, default: 0] += 1
        enforced[agent] = try! CompiledPolicy(yaml: yaml)
        _ = audit()
    }

    var day: UInt32 { UInt32(clock / 86_400_000) }

    func row(_ agent: String) -> (requests: UInt64, micro: UInt64) { ledger[agent]?[day] ?? (0, 0) }

    func fits(_ agent: String, _ cost: UInt64, _ limits: LedgerLimits) -> Bool {
        let r = row(agent)
        if let max = limits.maxRequestsPerDay, r.requests + 1 > UInt64(max) { return false }
        if let max = limits.maxMicroUSDPerDay, r.micro + cost > UInt64(max) { return false }
        return true
    }

    mutating func debit(_ agent: String, _ cost: UInt64) {
        var r = row(agent)
        r.requests += 1
        r.micro += cost
        ledger[agent, default: [:]][day] = r
    }

    /// Returns (outcome, approval id, requests today, micro today, decision id, replayed).
    mutating func decide(_ command: DecideCommand, index: UInt64) -> DecisionAnswer {
        let key = command.agent + "\u{0}" + command.requestID
        if let stored = answers[key], stored.timeMillis + 24 * 3_600_000 > clock {
            var replay = stored
            replay.replayed = true
            return replay
        }
        let policy = enforced[command.agent]!
        guard case .tool(let tool, let parameters, let depth, let cost) = command.request else { fatalError() }
        let decision = policy.evaluate(
            ToolCall(tool: tool, parameters: parameters, chainDepth: Int(depth), costUSD: cost))
        let micro = UInt64(cost.map(MicroUSD.roundedUp) ?? 0)
        var outcome = DecisionAnswer.Outcome(decision.outcome)
        var approvalID: UInt64? = nil
        var charged: UInt64 = 0
        switch decision.outcome {
        case .deny: break
        case .allow:
            if fits(command.agent, micro, policy.ledgerLimits) {
                debit(command.agent, micro)
                charged = micro
            } else {
                outcome = .deny
            }
        case .needsApproval:
            let hash = SHA256.hash(parameters.serialized().utf8)
            if !fits(command.agent, micro, policy.ledgerLimits) {
                outcome = .deny
            } else if let (id, open) = approvals.first(where: {
                $0.value.agent == command.agent && $0.value.tool == tool && $0.value.hash == hash
                    && [.pending, .approved].contains($0.value.status(at: clock))
                    && $0.value.group == decision.approval!.group
                    && $0.value.required >= decision.approval!.requiredApprovals
            }) {
                approvalID = id
                if open.status == .approved {
                    approvals[id]!.status = .consumed
                    debit(command.agent, micro)
                    charged = micro
                    outcome = .allow
                }
            } else {
                let requirement = decision.approval!
                approvals[index] = Approval(
                    agent: command.agent, tool: tool, hash: hash, required: requirement.requiredApprovals,
                    group: requirement.group, expires: clock + UInt64(requirement.ttlSeconds) * 1000, status: .pending)
                approvalID = index
            }
        }
        let r = row(command.agent)
        let answer = DecisionAnswer(
            requestID: command.requestID, agent: command.agent, outcome: outcome, reason: "", rule: "",
            decisionID: audit(), approvalID: approvalID,
            budget: BudgetStatus(
                day: day, requests: r.requests, maxRequests: nil, microdollars: r.micro, maxMicrodollars: nil),
            policyVersion: versions[command.agent]!, shadow: nil, costMicrodollars: charged, timeMillis: clock,
            replayed: false)
        answers[key] = answer
        keep(key, of: command.agent)
        return answer
    }

    /// Moves `key` to the agent's newest answer, then forgets the agent's ids outside the window
    /// and its oldest beyond the count.
    mutating func keep(_ key: String, of agent: String) {
        var order = answerOrder[agent, default: []].filter { $0 != key } + [key]
        while let first = order.first,
            answers[first]!.timeMillis + 24 * 3_600_000 <= clock || order.count > perAgentCount
        {
            answers[first] = nil
            order.removeFirst()
        }
        answerOrder[agent] = order
    }

    /// The approval's status after the vote, or nil if the vote is refused.
    mutating func vote(_ id: UInt64, _ principal: String, approve: Bool) -> ApprovalStatus? {
        guard var approval = approvals[id], approval.status(at: clock) == .pending,
            let who = principals[principal], who.role == .approver, who.groups.contains(approval.group),
            approval.votes[principal] == nil
        else { return nil }
        approval.votes[principal] = approve
        if !approve {
            approval.status = .denied
        } else if approval.votes.values.filter({ $0 }).count >= approval.required {
            approval.status = .approved
        }
        approvals[id] = approval
        _ = audit()
        return approval.status
    }
}
