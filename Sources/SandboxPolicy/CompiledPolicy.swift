import JSON
import JSONSchema

/// A policy compiled for evaluation: patterns, conditions, schemas and network rules are all
/// prepared once, then ``evaluate(_:)`` decides requests without touching the YAML again.
///
/// Order of checks for a tool call (the first that decides wins):
/// 1. `tools.deny` patterns, then `deny` rules (match and condition; an undecidable condition
///    denies): deny.
/// 2. Allow gate: a `tools.allow` pattern or an `allow` rule whose condition holds; otherwise
///    `defaults.decision` (deny unless set otherwise).
/// 3. The tool's parameter schema (first `tools.schemas` pattern matching the tool): deny on
///    failure, naming the failing path.
/// 4. Static budgets: chain depth over `max_chain_depth`, cost over `max_usd_per_request` or
///    `max_usd_per_day`: deny.
/// 5. Approval rules (`tools.approvals`, then `approval` rules, in file order): the first whose
///    pattern matches and whose condition holds (or cannot be decided) requires approval.
/// 6. Allow (or the default's approval).
public final class CompiledPolicy: Sendable {
    /// The document this was compiled from.
    public let document: PolicyDocument
    /// Warnings found while reading and compiling.
    public let warnings: [PolicyDiagnostic]

    // Compiled entries are classes so that walking a list retains one reference per entry
    // instead of copying every field.
    final class ToolPattern: Sendable {
        let pattern: GlobPattern
        let ruleID: String

        init(pattern: GlobPattern, ruleID: String) {
            self.pattern = pattern
            self.ruleID = ruleID
        }
    }

    final class Rule: Sendable {
        let name: String
        let patterns: [GlobPattern]
        let condition: Condition?
        let action: PolicyDocument.Action
        let approval: ApprovalRequirement
        let reason: String?

        init(
            name: String, patterns: [GlobPattern], condition: Condition?, action: PolicyDocument.Action,
            approval: ApprovalRequirement, reason: String?
        ) {
            self.name = name
            self.patterns = patterns
            self.condition = condition
            self.action = action
            self.approval = approval
            self.reason = reason
        }

        func matches(_ tool: String) -> Bool {
            for pattern in patterns where pattern.matches(tool) { return true }
            return false
        }
    }

    final class SchemaEntry: Sendable {
        let pattern: GlobPattern
        let schema: CompiledSchema
        let ruleID: String

        init(pattern: GlobPattern, schema: CompiledSchema, ruleID: String) {
            self.pattern = pattern
            self.schema = schema
            self.ruleID = ruleID
        }
    }

    let denyPatterns: [ToolPattern]
    let allowPatterns: [ToolPattern]
    let denyRules: [Rule]
    let allowRules: [Rule]
    let approvalRules: [Rule]
    let schemas: [SchemaEntry]
    let network: NetworkRules
    let defaultApproval: ApprovalRequirement
    let redactor: Redactor

    /// Reads and compiles a policy. `resolveSchema` loads a schema given by file reference in
    /// `tools.schemas` (the module never reads files itself).
    public convenience init(
        yaml text: String, resolveSchema: (String) throws -> JSONValue = CompiledPolicy.noSchemaFiles
    ) throws(PolicyError) {
        try self.init(try PolicyDocument(yaml: text), resolveSchema: resolveSchema)
    }

    /// The default resolver: refuses every schema file reference.
    public static func noSchemaFiles(_ reference: String) throws -> JSONValue {
        throw SchemaReferenceError(reference: reference, message: "no schema files can be read here")
    }

    public init(
        _ document: PolicyDocument, resolveSchema: (String) throws -> JSONValue = CompiledPolicy.noSchemaFiles
    ) throws(PolicyError) {
        var diagnostics = document.warnings
        let defaults = document.defaults
        defaultApproval = ApprovalRequirement(
            requiredApprovals: defaults.requiredApprovals, group: defaults.approvalGroup,
            ttlSeconds: defaults.approvalTTLSeconds)
        func patterns(_ list: [PolicyDocument.Pattern], _ key: String) -> [ToolPattern] {
            list.enumerated().map { ToolPattern(pattern: GlobPattern($1.text), ruleID: "\(key)[\($0)]") }
        }
        denyPatterns = patterns(document.tools.deny, "tools.deny")
        allowPatterns = patterns(document.tools.allow, "tools.allow")
        var compiledRules: [Rule] = []
        for rule in document.tools.approvals + document.rules {
            var condition: Condition? = nil
            if let source = rule.condition {
                do {
                    condition = try Condition(source)
                } catch {
                    diagnostics.append(
                        PolicyDiagnostic(
                            .error, at: CompiledPolicy.location(of: error, in: rule),
                            "condition of `\(rule.name)`: \(error.message)"))
                }
            }
            compiledRules.append(
                Rule(
                    name: rule.name, patterns: rule.match.map { GlobPattern($0.text) }, condition: condition,
                    action: rule.action,
                    approval: ApprovalRequirement(
                        requiredApprovals: rule.requiredApprovals ?? defaults.requiredApprovals,
                        group: rule.approvalGroup ?? defaults.approvalGroup,
                        ttlSeconds: rule.approvalTTLSeconds ?? defaults.approvalTTLSeconds),
                    reason: rule.reason))
        }
        denyRules = compiledRules.filter { $0.action == .deny }
        allowRules = compiledRules.filter { $0.action == .allow }
        approvalRules = compiledRules.filter { $0.action == .approval }
        var compiledSchemas: [SchemaEntry] = []
        for (index, entry) in document.tools.schemas.enumerated() {
            let schemaValue: JSONValue
            switch entry.source {
            case .inline(let value):
                schemaValue = value
            case .reference(let path):
                do {
                    schemaValue = try resolveSchema(path)
                } catch {
                    diagnostics.append(
                        PolicyDiagnostic(.error, at: entry.tool.location, "schema of `\(entry.tool.text)`: \(error)"))
                    continue
                }
            }
            do {
                compiledSchemas.append(
                    SchemaEntry(
                        pattern: GlobPattern(entry.tool.text), schema: try CompiledSchema(schemaValue),
                        ruleID: "tools.schemas[\(index)]"))
            } catch {
                diagnostics.append(
                    PolicyDiagnostic(.error, at: entry.tool.location, "schema of `\(entry.tool.text)`: \(error)"))
            }
        }
        schemas = compiledSchemas
        network = NetworkRules(document.network, errors: &diagnostics)
        redactor = Redactor(classes: document.logging.redact)
        diagnostics += CompiledPolicy.lint(document)
        if diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(diagnostics) }
        self.document = document
        self.warnings = diagnostics.sorted { $0.location < $1.location }
    }

    /// Maps a condition error's offset to the file: exact for conditions on one line and for
    /// literal blocks, the scalar's own position otherwise.
    static func location(of error: ConditionSyntaxError, in rule: PolicyDocument.Rule) -> SourceLocation {
        guard let position = rule.conditionPosition, let condition = rule.condition else { return rule.location }
        return position.location(ofOffset: error.offset, in: condition)
    }

    /// Warnings about policies that load but probably do not do what their author meant.
    static func lint(_ document: PolicyDocument) -> [PolicyDiagnostic] {
        var warnings: [PolicyDiagnostic] = []
        let deny = document.tools.deny.map { GlobPattern($0.text) }
        for pattern in document.tools.allow {
            if pattern.text == "*" {
                warnings.append(
                    PolicyDiagnostic(.warning, at: pattern.location, "`*` in tools.allow allows every tool not denied"))
            }
            if GlobPattern(pattern.text).isLiteral, let denied = deny.first(where: { $0.matches(pattern.text) }) {
                warnings.append(
                    PolicyDiagnostic(
                        .warning, at: pattern.location,
                        "`\(pattern.text)` is allowed but also denied by `\(denied)`; deny wins"))
            }
        }
        let allow = document.tools.allow.map { GlobPattern($0.text) }
        let allowRuleMatches = document.rules.filter { $0.action == .allow }.flatMap {
            $0.match.map { GlobPattern($0.text) }
        }
        for rule in document.tools.approvals + document.rules where rule.action == .approval {
            for pattern in rule.match where GlobPattern(pattern.text).isLiteral {
                let allowed = (allow + allowRuleMatches).contains { $0.matches(pattern.text) }
                if !allowed && document.defaults.decision == .deny {
                    warnings.append(
                        PolicyDiagnostic(
                            .warning, at: pattern.location,
                            "approval rule `\(rule.name)` names `\(pattern.text)`, which no allow pattern allows: it is denied before approval is considered"
                        ))
                }
            }
        }
        return warnings
    }

    /// The budgets section, for the ledger that enforces it.
    public var budgets: PolicyDocument.Budgets { document.budgets }

    /// Redacts `value` with the policy's `logging.redact` classes.
    public func redact(_ value: JSONValue) -> JSONValue { redactor.redact(value) }

    // MARK: evaluation

    /// Decides a request.
    public func evaluate(_ request: PolicyRequest) -> Decision {
        var sink = SilentTrace()
        return decide(request, trace: &sink)
    }

    /// Decides a tool call.
    public func evaluate(_ call: ToolCall) -> Decision { evaluate(.toolCall(call)) }

    /// Decides an HTTP request.
    public func evaluate(_ request: HTTPRequest) -> Decision { evaluate(.http(request)) }

    /// Decides whether to connect to `address`, an address that a host name allowed by
    /// ``evaluate(_:)-HTTPRequest`` resolved to. Call it for every resolved address before
    /// connecting: it refuses loopback, private, link-local, metadata and other special addresses
    /// unless `network.allow_cidrs` lists them, and anything in `network.deny_cidrs` (DNS
    /// rebinding and names that point inside are stopped here, as Smokescreen does).
    public func evaluateConnection(to address: IPAddress) -> Decision { evaluate(.connection(address)) }

    /// The full trace of deciding `request`.
    public func trace(_ request: PolicyRequest) -> [TraceStep] {
        var recorder = TraceRecorder()
        _ = decide(request, trace: &recorder)
        return recorder.steps
    }

    @inline(__always)
    func decide<Sink: TraceSink>(_ request: PolicyRequest, trace: inout Sink) -> Decision {
        switch request {
        case .toolCall(let call):
            return decide(call, request: request, trace: &trace)
        case .http(let http):
            if let denial = checkChainDepth(http.chainDepth ?? 0, request: request, trace: &trace) { return denial }
            let (allowed, reason, rule) = network.judge(http, trace: &trace)
            return Decision(allowed ? .allow : .deny, reason, rule: rule, costUSD: nil, policy: self, request: request)
        case .connection(let address):
            let (allowed, reason, rule) = network.judge(
                address, host: .ip(address), ambiguous: false, resolved: true, trace: &trace)
            return Decision(allowed ? .allow : .deny, reason, rule: rule, costUSD: nil, policy: self, request: request)
        }
    }

    private func checkChainDepth<Sink: TraceSink>(_ depth: Int, request: PolicyRequest, trace: inout Sink) -> Decision?
    {
        guard let limit = document.budgets.maxChainDepth else { return nil }
        if depth > limit {
            trace.record("budgets.max_chain_depth", .failed, "\(depth) > \(limit)")
            return Decision(
                .deny, .chainTooDeep(depth: depth, limit: limit), rule: "budgets.max_chain_depth", costUSD: nil,
                policy: self, request: request)
        }
        trace.record("budgets.max_chain_depth", .passed, "\(depth) ≤ \(limit)")
        return nil
    }

    static func detail(_ rule: Rule, _ outcome: ConditionOutcome) -> String {
        guard let condition = rule.condition else { return "no condition" }
        return "`\(condition.source)` is \(outcome)"
    }

    private func checkCost<Sink: TraceSink>(
        _ cost: JSONNumber, _ limit: JSONNumber, _ name: String, call request: PolicyRequest, trace: inout Sink
    ) -> Decision? {
        if cost > limit {
            trace.record("budgets.\(name)", .failed, "$\(cost) > $\(limit)")
            return Decision(
                .deny, .costOverLimit(cost: cost, limit: limit, budget: name), rule: "budgets.\(name)", costUSD: cost,
                policy: self, request: request)
        }
        trace.record("budgets.\(name)", .passed, "$\(cost) ≤ $\(limit)")
        return nil
    }

    private func decide<Sink: TraceSink>(_ call: ToolCall, request: PolicyRequest, trace: inout Sink) -> Decision {
        let tool = call.tool
        let cost = call.costUSD
        func decision(
            _ outcome: Decision.Outcome, _ reason: DecisionReason, _ rule: String,
            _ approval: ApprovalRequirement? = nil
        ) -> Decision {
            Decision(outcome, reason, rule: rule, approval: approval, costUSD: cost, policy: self, request: request)
        }
        var context: ConditionContext {
            ConditionContext(parameters: call.parameters, tool: tool, chainDepth: call.chainDepth, costUSD: cost)
        }
        // 1. Deny patterns and deny rules.
        for entry in denyPatterns {
            if entry.pattern.matches(tool) {
                trace.record("\(entry.ruleID) `\(entry.pattern)`", .matched, "denies `\(tool)`")
                return decision(.deny, .toolDeniedByPattern(tool: tool, pattern: entry.pattern.source), entry.ruleID)
            }
            trace.record("\(entry.ruleID) `\(entry.pattern)`", .noMatch, "")
        }
        for rule in denyRules {
            guard rule.matches(tool) else {
                trace.record("rule `\(rule.name)` (deny)", .noMatch, "")
                continue
            }
            let outcome = rule.condition?.evaluate(context) ?? .true
            if outcome == .false {
                trace.record("rule `\(rule.name)` (deny)", .noMatch, CompiledPolicy.detail(rule, outcome))
                continue
            }
            trace.record(
                "rule `\(rule.name)` (deny)", outcome == .true ? .matched : .unknown,
                CompiledPolicy.detail(rule, outcome))
            return decision(
                .deny,
                .toolDeniedByRule(
                    tool: tool, rule: rule.name, reason: rule.reason, condition: rule.condition, outcome: outcome),
                rule.name)
        }
        // 2. Allow gate.
        var allowedBy: (String, DecisionReason)? = nil
        for entry in allowPatterns {
            if entry.pattern.matches(tool) {
                trace.record("\(entry.ruleID) `\(entry.pattern)`", .matched, "allows `\(tool)`")
                allowedBy = (entry.ruleID, .toolAllowedByPattern(tool: tool, pattern: entry.pattern.source))
                break
            }
            trace.record("\(entry.ruleID) `\(entry.pattern)`", .noMatch, "")
        }
        if allowedBy == nil {
            for rule in allowRules {
                guard rule.matches(tool) else {
                    trace.record("rule `\(rule.name)` (allow)", .noMatch, "")
                    continue
                }
                let outcome = rule.condition?.evaluate(context) ?? .true
                guard outcome == .true else {
                    trace.record(
                        "rule `\(rule.name)` (allow)", outcome == .false ? .noMatch : .unknown,
                        CompiledPolicy.detail(rule, outcome))
                    continue
                }
                trace.record("rule `\(rule.name)` (allow)", .matched, "allows `\(tool)`")
                allowedBy = (rule.name, .toolAllowedByRule(tool: tool, rule: rule.name, reason: rule.reason))
                break
            }
        }
        if allowedBy == nil {
            switch document.defaults.decision {
            case .deny:
                trace.record("defaults.decision", .matched, "deny: `\(tool)` matches no allow pattern")
                return decision(.deny, .toolNotAllowed(tool: tool), "defaults.decision")
            case .approval:
                trace.record("defaults.decision", .matched, "approval")
                allowedBy = ("defaults.decision", .toolNeedsApprovalByDefault(tool: tool))
            case .allow:
                trace.record("defaults.decision", .matched, "allow")
                allowedBy = ("defaults.decision", .toolAllowedByDefault(tool: tool))
            }
        }
        // 3. Parameter schema.
        for entry in schemas where entry.pattern.matches(tool) {
            // The fast check first; the errors are gathered only for a failure (or a trace).
            if !trace.isRecording, entry.schema.isValid(call.parameters) {
                break
            }
            let result = entry.schema.validate(call.parameters, reporting: .all)
            if !result.isValid {
                trace.record(
                    "\(entry.ruleID) `\(entry.pattern)`", .failed,
                    result.errors.map(\.description).joined(separator: "; "))
                return decision(.deny, .schemaViolation(tool: tool, errors: result.errors), entry.ruleID)
            }
            trace.record("\(entry.ruleID) `\(entry.pattern)`", .passed, "parameters valid")
            break
        }
        // 4. Static budgets.
        if let denial = checkChainDepth(call.chainDepth, request: request, trace: &trace) { return denial }
        if let cost {
            let budgets = document.budgets
            if let limit = budgets.maxUSDPerRequest,
                let denial = checkCost(cost, limit, "max_usd_per_request", call: request, trace: &trace)
            {
                return denial
            }
            if let limit = budgets.maxUSDPerDay,
                let denial = checkCost(cost, limit, "max_usd_per_day", call: request, trace: &trace)
            {
                return denial
            }
        }
        // 5. Approval rules.
        for rule in approvalRules {
            guard rule.matches(tool) else {
                trace.record("rule `\(rule.name)` (approval)", .noMatch, "")
                continue
            }
            let outcome = rule.condition?.evaluate(context) ?? .true
            if outcome == .false {
                trace.record("rule `\(rule.name)` (approval)", .noMatch, CompiledPolicy.detail(rule, outcome))
                continue
            }
            trace.record(
                "rule `\(rule.name)` (approval)", outcome == .true ? .matched : .unknown,
                CompiledPolicy.detail(rule, outcome))
            return decision(
                .needsApproval,
                .approvalRequired(
                    tool: tool, rule: rule.name, reason: rule.reason, condition: rule.condition, outcome: outcome),
                rule.name, rule.approval)
        }
        // 6. Allow.
        let (rule, reason) = allowedBy!
        if case .toolNeedsApprovalByDefault = reason {
            trace.record("decision", .matched, "needs_approval")
            return decision(.needsApproval, reason, rule, defaultApproval)
        }
        trace.record("decision", .matched, "allow")
        return decision(.allow, reason, rule)
    }
}
