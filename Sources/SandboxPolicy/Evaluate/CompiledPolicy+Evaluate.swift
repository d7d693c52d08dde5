import JSON
import NetworkAddress

extension CompiledPolicy {
    /// Decides a request. Allocation-free on the common paths: the decision shares the policy's
    /// strings and records no trace.
    public func evaluate(_ request: PolicyRequest) -> Decision {
        var sink = SilentTrace()
        return decide(request, trace: &sink)
    }

    /// Decides a tool call.
    public func evaluate(_ call: ToolCall) -> Decision { evaluate(.toolCall(call)) }

    /// Decides an HTTP request.
    public func evaluate(_ request: HTTPRequest) -> Decision { evaluate(.http(request)) }

    /// Decides whether to connect to `address`, an address that a host name allowed by
    /// ``evaluate(_:)-(HTTPRequest)`` resolved to. Call it for every resolved address before
    /// connecting: it refuses loopback, private, link-local, metadata and other special addresses
    /// unless `network.allow_cidrs` lists them, and anything in `network.deny_cidrs` (DNS
    /// rebinding and names that point inside are stopped here, as Smokescreen does).
    public func evaluateConnection(to address: IPAddress) -> Decision { evaluate(.connection(address)) }

    /// Decides `request` and records every check made, in order: the same evaluation as
    /// ``evaluate(_:)-(PolicyRequest)`` run with a recorder, so the trace always explains the
    /// decision it comes with.
    public func trace(_ request: PolicyRequest) -> TracedDecision {
        var recorder = TraceRecorder()
        let decision = decide(request, trace: &recorder)
        return TracedDecision(decision: decision, steps: recorder.steps)
    }

    /// Decides a tool call and records every check made.
    public func trace(_ call: ToolCall) -> TracedDecision { trace(.toolCall(call)) }

    /// Decides an HTTP request and records every check made.
    public func trace(_ request: HTTPRequest) -> TracedDecision { trace(.http(request)) }

    @inline(__always)
    func decide<Sink: TraceSink>(_ request: PolicyRequest, trace: inout Sink) -> Decision {
        switch request {
        case .toolCall(let call):
            return decide(call, trace: &trace)
        case .http(let http):
            if let (rule, reason) = checkChainDepth(http.chainDepth ?? 0, trace: &trace) {
                return Decision(.deny, reason, rule: rule)
            }
            let (allowed, reason, rule) = network.judge(http, trace: &trace)
            return Decision(allowed ? .allow : .deny, reason, rule: rule)
        case .connection(let address):
            let (allowed, reason, rule) = network.judge(
                address, host: .ip(address), ambiguous: false, resolved: true, trace: &trace)
            return Decision(allowed ? .allow : .deny, reason, rule: rule)
        }
    }

    /// The order of checks in ``CompiledPolicy``'s documentation, steps 1 to 6.
    private func decide<Sink: TraceSink>(_ call: ToolCall, trace: inout Sink) -> Decision {
        let tool = call.tool
        // 1. Deny patterns and deny rules.
        if let entry = firstMatch(denyPatterns, tool, verb: "denies", trace: &trace) {
            return decision(call, .deny, .toolDeniedByPattern(tool: tool, pattern: entry.pattern.source), entry.ruleID)
        }
        if let (rule, outcome) = firstRule(denyRules, call, trace: &trace) {
            let reason = DecisionReason.toolDeniedByRule(
                tool: tool, rule: rule.name, reason: rule.reason, condition: rule.condition?.source, outcome: outcome)
            return decision(call, .deny, reason, rule.name)
        }
        // 2. Allow gate.
        let (allowRule, allowReason) = allowGate(call, trace: &trace)
        if case .toolNotAllowed = allowReason { return decision(call, .deny, allowReason, allowRule) }
        // 3. Parameter schema. 4. Static budgets.
        if let (rule, reason) = checkSchema(call, trace: &trace) { return decision(call, .deny, reason, rule) }
        if let (rule, reason) = checkChainDepth(call.chainDepth, trace: &trace) {
            return decision(call, .deny, reason, rule)
        }
        if let (rule, reason) = checkCost(call, trace: &trace) { return decision(call, .deny, reason, rule) }
        // 5. Approval rules.
        if let (rule, outcome) = firstRule(approvalRules, call, trace: &trace) {
            let reason = DecisionReason.approvalRequired(
                tool: tool, rule: rule.name, reason: rule.reason, condition: rule.condition?.source, outcome: outcome)
            return decision(call, .needsApproval, reason, rule.name, approval: rule.approval)
        }
        // 6. Allow (or the default's approval).
        if case .toolNeedsApprovalByDefault = allowReason {
            trace.record("decision", .matched, "needs_approval")
            return decision(call, .needsApproval, allowReason, allowRule)
        }
        trace.record("decision", .matched, "allow")
        return decision(call, .allow, allowReason, allowRule)
    }

    /// The decision for a tool call: `approval`, or the default approval for `needs_approval`,
    /// and the call's cost.
    private func decision(
        _ call: ToolCall, _ outcome: Decision.Outcome, _ reason: DecisionReason, _ rule: String,
        approval: ApprovalRequirement? = nil
    ) -> Decision {
        Decision(
            outcome, reason, rule: rule, approval: outcome == .needsApproval ? approval ?? defaultApproval : nil,
            costMicroUSD: call.costMicroUSD)
    }

    /// Step 2: the allow pattern or allow rule that admits the tool, or `defaults.decision`
    /// (``DecisionReason/toolNotAllowed(tool:)`` when it denies).
    private func allowGate<Sink: TraceSink>(_ call: ToolCall, trace: inout Sink) -> (String, DecisionReason) {
        let tool = call.tool
        if let entry = firstMatch(allowPatterns, tool, verb: "allows", trace: &trace) {
            return (entry.ruleID, .toolAllowedByPattern(tool: tool, pattern: entry.pattern.source))
        }
        if let (rule, _) = firstRule(allowRules, call, trace: &trace) {
            return (rule.name, .toolAllowedByRule(tool: tool, rule: rule.name, reason: rule.reason))
        }
        switch document.defaults.decision {
        case .deny:
            trace.record("defaults.decision", .matched, "deny: `\(tool)` matches no allow pattern")
            return ("defaults.decision", .toolNotAllowed(tool: tool))
        case .approval:
            trace.record("defaults.decision", .matched, "approval")
            return ("defaults.decision", .toolNeedsApprovalByDefault(tool: tool))
        case .allow:
            trace.record("defaults.decision", .matched, "allow")
            return ("defaults.decision", .toolAllowedByDefault(tool: tool))
        }
    }

    /// The first pattern in `patterns` that matches `tool`.
    private func firstMatch<Sink: TraceSink>(
        _ patterns: [CompiledToolPattern], _ tool: String, verb: String, trace: inout Sink
    ) -> CompiledToolPattern? {
        for entry in patterns {
            if entry.pattern.matches(tool) {
                trace.record("\(entry.ruleID) `\(entry.pattern)`", .matched, "\(verb) `\(tool)`")
                return entry
            }
            trace.record("\(entry.ruleID) `\(entry.pattern)`", .noMatch, "")
        }
        return nil
    }

    /// The first rule in `rules` that matches the tool and whose condition holds. A condition
    /// that cannot be decided counts as holding for deny and approval rules (fail closed) and as
    /// not holding for allow rules.
    private func firstRule<Sink: TraceSink>(_ rules: [CompiledRule], _ call: ToolCall, trace: inout Sink) -> (
        CompiledRule, ConditionOutcome
    )? {
        for rule in rules {
            guard rule.matches(call.tool) else {
                trace.record(CompiledPolicy.label(rule), .noMatch, "")
                continue
            }
            let outcome = rule.condition?.evaluate(call.conditionContext) ?? .true
            let failsClosed = rule.action != .allow
            switch outcome {
            case .true:
                trace.record(
                    CompiledPolicy.label(rule), .matched,
                    failsClosed ? CompiledPolicy.detail(rule, outcome) : "allows `\(call.tool)`")
                return (rule, outcome)
            case .unknown where failsClosed:
                trace.record(CompiledPolicy.label(rule), .unknown, CompiledPolicy.detail(rule, outcome))
                return (rule, outcome)
            case .unknown:
                trace.record(CompiledPolicy.label(rule), .unknown, CompiledPolicy.detail(rule, outcome))
            case .false:
                trace.record(CompiledPolicy.label(rule), .noMatch, CompiledPolicy.detail(rule, outcome))
            }
        }
        return nil
    }

    /// Step 3: the first schema whose pattern matches the tool; the rule and reason on failure.
    private func checkSchema<Sink: TraceSink>(_ call: ToolCall, trace: inout Sink) -> (String, DecisionReason)? {
        guard let entry = schemas.first(where: { $0.pattern.matches(call.tool) }) else { return nil }
        // The fast check first; the errors are gathered only for a failure (or a trace).
        if !trace.isRecording, entry.schema.isValid(call.parameters) { return nil }
        let result = entry.schema.validate(call.parameters, reporting: .all)
        guard result.isValid else {
            trace.record(
                "\(entry.ruleID) `\(entry.pattern)`", .failed, result.errors.map(\.description).joined(separator: "; "))
            return (entry.ruleID, .schemaViolation(tool: call.tool, errors: result.errors))
        }
        trace.record("\(entry.ruleID) `\(entry.pattern)`", .passed, "parameters valid")
        return nil
    }

    /// Step 4: `budgets.max_chain_depth`; the rule and reason when `depth` is over it. (Checks
    /// return a reason, not a decision: returning an optional `Decision`, over a hundred bytes,
    /// cost every decision a copy of it.)
    private func checkChainDepth<Sink: TraceSink>(_ depth: Int, trace: inout Sink) -> (String, DecisionReason)? {
        guard let limit = document.budgets.maxChainDepth else { return nil }
        guard depth > limit else {
            trace.record("budgets.max_chain_depth", .passed, "\(depth) ≤ \(limit)")
            return nil
        }
        trace.record("budgets.max_chain_depth", .failed, "\(depth) > \(limit)")
        return ("budgets.max_chain_depth", .chainTooDeep(depth: depth, limit: limit))
    }

    /// Step 4: the request's cost against `max_usd_per_request`, then `max_usd_per_day`.
    private func checkCost<Sink: TraceSink>(_ call: ToolCall, trace: inout Sink) -> (String, DecisionReason)? {
        guard let cost = call.costUSD else { return nil }
        let budgets = document.budgets
        if let limit = budgets.maxUSDPerRequest, let over = check(cost, limit, "max_usd_per_request", &trace) {
            return over
        }
        if let limit = budgets.maxUSDPerDay, let over = check(cost, limit, "max_usd_per_day", &trace) { return over }
        return nil
    }

    private func check<Sink: TraceSink>(_ cost: JSONNumber, _ limit: JSONNumber, _ name: String, _ trace: inout Sink)
        -> (String, DecisionReason)?
    {
        guard cost > limit else {
            trace.record("budgets.\(name)", .passed, "$\(cost) ≤ $\(limit)")
            return nil
        }
        trace.record("budgets.\(name)", .failed, "$\(cost) > $\(limit)")
        return ("budgets.\(name)", .costOverLimit(cost: cost, limit: limit, budget: name))
    }

    /// The trace's name for a rule, ``rule `big-refunds` (approval)``. Only ever built inside a
    /// `record` argument (an autoclosure), so that deciding without a trace never builds it.
    static func label(_ rule: CompiledRule) -> String { "rule `\(rule.name)` (\(rule.action.rawValue))" }

    static func detail(_ rule: CompiledRule, _ outcome: ConditionOutcome) -> String {
        guard let condition = rule.condition else { return "no condition" }
        return "`\(condition.source)` is \(outcome)"
    }
}

extension ToolCall {
    /// What a condition reads of this call.
    var conditionContext: ConditionContext {
        ConditionContext(parameters: parameters, tool: tool, chainDepth: chainDepth, costUSD: costUSD)
    }
}
