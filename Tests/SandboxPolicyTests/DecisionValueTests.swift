import JSON
import NetworkAddress
import Testing

@testable import SandboxPolicy

/// A decision is a plain value the state machine can store, send and compare, carrying what the
/// budget ledger and the approval queue need; the trace is opt-in and from the same path.
@Suite struct DecisionValueTests {
    static let yaml = """
        tools:
          allow: ["crm.*", "payments.refund"]
          deny: ["prod_db.*"]
        rules:
          - name: big-refunds
            match: payments.refund
            where: "amount > 100"
            action: approval
            required_approvals: 2
            group: finance
            approval_ttl: 30m
        network:
          allow_domains: ["api.company.com"]
        budgets:
          max_requests_per_day: 3000
          max_usd_per_day: 25.125
          max_usd_per_request: 2
        """

    let policy: CompiledPolicy
    init() throws { policy = try Fixtures.policy(DecisionValueTests.yaml) }

    static let requests: [PolicyRequest] = [
        .toolCall(Fixtures.call("crm.read", cost: 0.25)),
        .toolCall(Fixtures.call("crm.read", cost: 2.5)),
        .toolCall(Fixtures.call("prod_db.write")),
        .toolCall(Fixtures.call("shell.exec")),
        .toolCall(Fixtures.call("payments.refund", ["amount": 500])),
        .toolCall(Fixtures.call("payments.refund", [:])),
        .toolCall(Fixtures.call("payments.refund", ["amount": 5])),
        .http(Fixtures.get("https://api.company.com/x")),
        .http(Fixtures.get("http://169.254.169.254/")),
        .http(Fixtures.get("not a url")),
        .connection(IPAddress("10.0.0.1")!),
    ]

    @Test func equalRequestsGiveEqualDecisionsAndDifferentOnesDiffer() {
        let first = DecisionValueTests.requests.map { policy.evaluate($0) }
        let again = DecisionValueTests.requests.map { policy.evaluate($0) }
        #expect(first == again)
        // Compiling the same text again gives equal decisions too: nothing refers to the policy.
        let other = try! Fixtures.policy(DecisionValueTests.yaml)
        #expect(first == DecisionValueTests.requests.map { other.evaluate($0) })
        #expect(Set(first).count == first.count, "every request above decides differently")
    }

    @Test func theTraceComesWithTheSameDecision() {
        for request in DecisionValueTests.requests {
            let traced = policy.trace(request)
            #expect(traced.decision == policy.evaluate(request))
            #expect(!traced.steps.isEmpty)
        }
    }

    @Test func theDecisionCarriesTheCostInExactMicroDollarsAndThePolicyTheLedgerLimits() {
        let decision = policy.evaluate(Fixtures.call("crm.read", cost: 0.25))
        #expect(decision.outcome == .allow)
        #expect(decision.costMicroUSD == 250_000)
        #expect(policy.ledgerLimits == LedgerLimits(maxRequestsPerDay: 3000, maxMicroUSDPerDay: 25_125_000))
        #expect(policy.evaluate(Fixtures.call("crm.read")).costMicroUSD == nil)
    }

    @Test func theApprovalRequirementAndReasonAreInTheValue() {
        let decision = policy.evaluate(Fixtures.call("payments.refund", ["amount": 500]))
        #expect(decision.outcome == .needsApproval)
        #expect(decision.approval == ApprovalRequirement(requiredApprovals: 2, group: "finance", ttlSeconds: 1800))
        #expect(decision.reason.code == "approval_required")
        guard case .approvalRequired(_, let rule, _, let condition, let outcome) = decision.reason else {
            Issue.record("unexpected reason \(decision.reason)")
            return
        }
        #expect(rule == "big-refunds" && condition == "amount > 100" && outcome == .true)
        #expect(
            decision.explanation
                == "tool `payments.refund` needs approval under rule `big-refunds`: `amount > 100` holds")
    }

    @Test func reasonCodesAreDistinctAndSnakeCase() {
        let decisions = DecisionValueTests.requests.map { policy.evaluate($0) }
        let codes = decisions.map(\.reason.code)
        #expect(codes.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber } })
        #expect(codes.contains("tool_denied_by_pattern") && codes.contains("special_address"))
    }

    @Test func costsMustBeWholeMicroDollarsOnTheWire() throws {
        let exact = try PolicyRequest(json: ["tool": "crm.read", "cost_usd": .number(JSONNumber(literal: "0.000001")!)])
        guard case .toolCall(let call) = exact else { throw RequestError("not a tool call") }
        #expect(call.costMicroUSD == 1)
        for text in ["0.0000001", "1e-9", "-1", "1e30"] {
            #expect(throws: RequestError.self, "\(text)") {
                try PolicyRequest(json: ["tool": "crm.read", "cost_usd": .number(JSONNumber(literal: text)!)])
            }
        }
    }

    @Test func budgetsMustBeWholeMicroDollars() {
        let errors = Fixtures.errors("tools: {allow: [x]}\nbudgets: {max_usd_per_day: 0.0000001}\n")
        #expect(errors.contains { $0.message.contains("six decimal places") })
    }

    @Test func theJSONFormCarriesTheCodeAndMicroDollarsAndOnlyATracedDecisionHasATrace() {
        let decision = policy.evaluate(Fixtures.call("crm.read", cost: 0.25))
        guard case .object(let members) = decision.jsonValue else {
            Issue.record("not an object")
            return
        }
        #expect(members["reason_code"] == "tool_allowed_by_pattern")
        #expect(members["cost_micro_usd"] == .number(JSONNumber(250_000)))
        #expect(members["cost_usd"] == .number(JSONNumber(0.25)!))
        #expect(members["trace"] == nil)
        guard case .object(let traced) = policy.trace(Fixtures.call("crm.read")).jsonValue else {
            Issue.record("not an object")
            return
        }
        #expect(traced["trace"]?.arrayValue?.isEmpty == false)
    }
}
