import JSON
import SandboxPolicy

/// Denials an SDK decided locally (docs/state.md, "reportLocalDenials"): each one not yet known
/// by its request id becomes a `decision` record (outcome `deny`, `decided_by: "sdk"`) and is
/// stored under its request id like a decision's answer, so a report retried any number of times
/// is recorded once, and a later decision with the same request id replays the denial. Nothing
/// is debited, no approval is touched.
extension StateMachine {
    func recordLocalDenials(_ report: LocalDenialReport) throws -> CommandAnswer {
        guard let state = try agentState(report.agent) else { throw StateError.unknownAgent(report.agent) }
        var recorded = 0
        var duplicates = 0
        for denial in report.denials {
            if let stored = try idempotencyEntry(agent: report.agent, requestID: denial.requestID) {
                guard stored.timeMillis + limits.idempotencyWindowMillis <= clockMillis else {
                    duplicates += 1
                    continue
                }
                try forget(stored, agent: report.agent, requestID: denial.requestID)  // outside the window
            }
            let sequence = try appendLocalDenial(denial, report: report, state: state)
            try remember(
                IdempotencyEntry(sequence: sequence, timeMillis: clockMillis, outcome: .deny, approvalID: nil),
                agent: report.agent, requestID: denial.requestID)
            recorded += 1
        }
        return .localDenials(recorded: recorded, duplicates: duplicates)
    }

    /// The denial's audit record: a decision's members (readable back as its answer), the
    /// request redacted by the version the SDK decided with (the enforced one when the state
    /// has no such version; every class with no policy at all), and `decided_by: "sdk"`.
    private func appendLocalDenial(_ denial: LocalDenial, report: LocalDenialReport, state: AgentState) throws
        -> UInt64
    {
        let answer = DecisionAnswer(
            requestID: denial.requestID, agent: report.agent, outcome: .deny, reason: denial.reason,
            rule: denial.rule, decisionID: 0, approvalID: nil, budget: nil, policyVersion: denial.policyVersion,
            shadow: nil, costMicrodollars: 0, timeMillis: clockMillis, replayed: false)
        let known = denial.policyVersion >= 1 && denial.policyVersion <= state.head.latest
        let version = known ? denial.policyVersion : state.head.enforced
        let policy = version == 0 ? nil : try compiledPolicy(report.agent, version)
        var fields = answer.auditFields
        fields["decided_by"] = .string("sdk")
        fields["node"] = .integer(report.node)
        fields["tenant"] = .string(state.record.tenant)
        fields["request"] = denial.request.auditValue(redactedBy: policy)
        return try appendAudit(.decision, fields)
    }
}
