import JSON
import JSONSchema

/// The answer to a request: allow, deny or needs approval, why, which rule decided, the approval
/// it needs, and the trace of every check made.
public struct Decision: Sendable {
    public enum Outcome: String, Sendable, Hashable {
        case allow
        case deny
        case needsApproval = "needs_approval"
    }

    public let outcome: Outcome
    public let reason: DecisionReason
    /// The identifier of the rule or pattern that decided (`tools.deny[0]`, a rule's name,
    /// `network.allow_domains[1]`, `defaults.decision`).
    public let rule: String
    /// For `needs_approval`: how many approvers, from which group, for how long.
    public let approval: ApprovalRequirement?
    /// What the request is estimated to cost: the amount a budget ledger debits when the request
    /// goes ahead (budgets themselves are enforced where the ledger lives, not here).
    public let costUSD: JSONNumber?

    let policy: CompiledPolicy
    let request: PolicyRequest

    init(
        _ outcome: Outcome, _ reason: DecisionReason, rule: String, approval: ApprovalRequirement? = nil,
        costUSD: JSONNumber?, policy: CompiledPolicy, request: PolicyRequest
    ) {
        self.outcome = outcome
        self.reason = reason
        self.rule = rule
        self.approval = approval
        self.costUSD = costUSD
        self.policy = policy
        self.request = request
    }

    /// Every check made to reach this decision, in order. Built on demand by re-running the same
    /// (pure, deterministic) evaluation with a recorder, so deciding stays allocation-light.
    public var trace: [TraceStep] { policy.trace(request) }

    /// The reason as a sentence.
    public var explanation: String { reason.description }
}

/// Approval details for a `needs_approval` decision.
public struct ApprovalRequirement: Sendable, Hashable {
    /// Distinct approvers needed (N of the group's M members).
    public var requiredApprovals: Int
    public var group: String
    /// How long the request may wait for approval (and an approval stays usable), in seconds.
    public var ttlSeconds: Int

    public init(requiredApprovals: Int, group: String, ttlSeconds: Int) {
        self.requiredApprovals = requiredApprovals
        self.group = group
        self.ttlSeconds = ttlSeconds
    }
}

/// Why a decision came out as it did. Kept structured (and cheap to build); ``description``
/// renders the sentence a person reads.
public enum DecisionReason: Sendable, CustomStringConvertible {
    case toolDeniedByPattern(tool: String, pattern: String)
    case toolDeniedByRule(tool: String, rule: String, reason: String?, condition: Condition?, outcome: ConditionOutcome)
    case toolNotAllowed(tool: String)
    case toolAllowedByDefault(tool: String)
    case toolNeedsApprovalByDefault(tool: String)
    case schemaViolation(tool: String, errors: [ValidationError])
    case chainTooDeep(depth: Int, limit: Int)
    case costOverLimit(cost: JSONNumber, limit: JSONNumber, budget: String)
    case approvalRequired(tool: String, rule: String, reason: String?, condition: Condition?, outcome: ConditionOutcome)
    case toolAllowedByPattern(tool: String, pattern: String)
    case toolAllowedByRule(tool: String, rule: String, reason: String?)
    case malformedURL(URLRejection)
    case schemeNotAllowed(scheme: String, allowed: [String])
    case portNotAllowed(port: Int?, allowed: [Int])
    case methodNotAllowed(method: String, allowed: [String])
    case bodyTooLarge(bytes: Int, limit: Int)
    case ambiguousIPv4(host: HostName)
    case addressDenied(address: IPAddress, block: CIDRBlock)
    case addressAllowed(address: IPAddress, block: CIDRBlock)
    case specialAddress(address: IPAddress, kind: AddressClass)
    case internalHostName(host: String, why: String)
    case domainDenied(host: String, pattern: String)
    case domainAllowed(host: String, pattern: String)
    case hostNotAllowed(host: HostName)
    case hostAllowedByDefault(host: HostName)
    case resolvedAddressAllowed(address: IPAddress)

    public var description: String {
        switch self {
        case .toolDeniedByPattern(let tool, let pattern):
            return "tool `\(tool)` is denied by the pattern `\(pattern)`"
        case .toolDeniedByRule(let tool, let rule, let reason, let condition, let outcome):
            return reason ?? "tool `\(tool)` is denied by rule `\(rule)`\(DecisionReason.because(condition, outcome))"
        case .toolNotAllowed(let tool):
            return "tool `\(tool)` matches no allow pattern or rule (denied by default)"
        case .toolAllowedByDefault(let tool):
            return "tool `\(tool)` matches no allow pattern; `defaults.decision` allows it"
        case .toolNeedsApprovalByDefault(let tool):
            return "tool `\(tool)` matches no allow pattern; `defaults.decision` requires approval"
        case .schemaViolation(let tool, let errors):
            // Up to three errors, so that a missing and an extra field are both named.
            let shown = errors.isEmpty ? "invalid" : errors.prefix(3).map(\.description).joined(separator: "; ")
            let more = errors.count > 3 ? " (and \(errors.count - 3) more)" : ""
            return "parameters of `\(tool)` fail its schema: \(shown)\(more)"
        case .chainTooDeep(let depth, let limit):
            return "chain depth \(depth) exceeds budgets.max_chain_depth \(limit)"
        case .costOverLimit(let cost, let limit, let budget):
            return "estimated cost $\(cost) exceeds budgets.\(budget) $\(limit)"
        case .approvalRequired(let tool, let rule, let reason, let condition, let outcome):
            return reason
                ?? "tool `\(tool)` needs approval under rule `\(rule)`\(DecisionReason.because(condition, outcome))"
        case .toolAllowedByPattern(let tool, let pattern):
            return "tool `\(tool)` is allowed by the pattern `\(pattern)`"
        case .toolAllowedByRule(let tool, let rule, let reason):
            return reason ?? "tool `\(tool)` is allowed by rule `\(rule)`"
        case .malformedURL(let why):
            return "URL refused: \(why)"
        case .schemeNotAllowed(let scheme, let allowed):
            return "scheme `\(scheme)` is not allowed (allowed: \(allowed.joined(separator: ", ")))"
        case .portNotAllowed(let port, let allowed):
            let written = port.map(String.init) ?? "(none)"
            return "port \(written) is not allowed (allowed: \(allowed.map(String.init).joined(separator: ", ")))"
        case .methodNotAllowed(let method, let allowed):
            return "method \(method) is not allowed (allowed: \(allowed.joined(separator: ", ")))"
        case .bodyTooLarge(let bytes, let limit):
            return "request body of \(bytes) bytes exceeds network.max_body_bytes \(limit)"
        case .ambiguousIPv4(let host):
            return
                "the host is an IPv4 address with a leading-zero part (octal to some parsers, decimal to others; \(host) here): refused as ambiguous"
        case .addressDenied(let address, let block):
            return "address \(address) is in the denied block \(block)"
        case .addressAllowed(let address, let block):
            return "address \(address) is in the allowed block \(block)"
        case .specialAddress(let address, let kind):
            return "address \(address) is \(kind.rawValue); only an explicit network.allow_cidrs entry allows it"
        case .internalHostName(let host, let why):
            return "host `\(host)` \(why); only an explicit network.allow_domains entry allows it"
        case .domainDenied(let host, let pattern):
            return "host `\(host)` is denied by network.deny_domains `\(pattern)`"
        case .domainAllowed(let host, let pattern):
            return "host `\(host)` is allowed by network.allow_domains `\(pattern)`"
        case .hostNotAllowed(let host):
            return "host `\(host)` is not in network.allow_domains (deny_all_others)"
        case .resolvedAddressAllowed(let address):
            return "address \(address) is a public address"
        case .hostAllowedByDefault(let host):
            return "host `\(host)` is not listed; deny_all_others is false"
        }
    }

    private static func because(_ condition: Condition?, _ outcome: ConditionOutcome) -> String {
        guard let condition else { return "" }
        switch outcome {
        case .false: return ""
        case .true: return ": `\(condition.source)` holds"
        case .unknown(let why): return ": `\(condition.source)` cannot be decided (\(why)), so it fails closed"
        }
    }
}

extension Decision {
    /// The decision as the CLI and API print it: `decision`, `reason`, `rule`, `approval`
    /// (or null), `cost_usd` (or null) and `trace` (a list of `{check, result, detail}`).
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "decision": .string(outcome.rawValue),
            "reason": .string(explanation),
            "rule": .string(rule),
            "approval": .null,
            "cost_usd": costUSD.map { .number($0) } ?? .null,
        ]
        if let approval {
            members["approval"] = .object([
                "required_approvals": .number(JSONNumber(approval.requiredApprovals)),
                "group": .string(approval.group),
                "ttl_seconds": .number(JSONNumber(approval.ttlSeconds)),
            ])
        }
        members["trace"] = .array(
            trace.map { step in
                .object([
                    "check": .string(step.check), "result": .string(step.result.rawValue),
                    "detail": .string(step.detail),
                ])
            })
        return .object(members)
    }
}
