import JSON
import JSONSchema
import Testing

@testable import SandboxPolicy

/// One test per rule of the evaluation order (see CompiledPolicy).
@Suite struct EvaluationTests {
    static let general = """
        agent: ops
        defaults:
          decision: deny
          approval_group: finance-approvers
          approval_ttl: 2h
        tools:
          allow: ["crm.*", "payments.refund", "email.send", "report.*"]
          deny: ["prod_db.*"]
          schemas:
            email.send:
              type: object
              required: [recipient, subject, body]
              additionalProperties: false
              properties:
                recipient: {type: string}
                subject: {type: string}
                body: {type: string}
        rules:
          - name: no-bulk-export
            match: "crm.export"
            where: "rows > 10000"
            action: deny
            reason: "bulk exports need a ticket"
          - name: big-refunds
            match: payments.refund
            where: "amount > 100"
            action: approval
            required_approvals: 2
            group: finance
            approval_ttl: 30m
          - name: any-refund-in-eur
            match: payments.refund
            where: "currency == 'EUR'"
            action: approval
          - name: outside-email
            match: email.send
            where: "recipient not endswith '@company.com'"
            action: approval
          - name: reports-for-admins
            match: "admin.report"
            where: "$chain_depth == 0"
            action: allow
        budgets:
          max_chain_depth: 2
          max_usd_per_request: 1.5
          max_usd_per_day: 25
        """

    let policy: CompiledPolicy
    init() throws { policy = try Fixtures.policy(EvaluationTests.general) }

    @Test func denyPatternsWinOverAllow() throws {
        let both = try Fixtures.policy("tools:\n  allow: [\"payments.*\"]\n  deny: [\"payments.refund\"]\n")
        #expect(both.evaluate(Fixtures.call("payments.refund")).outcome == .deny)
        #expect(both.evaluate(Fixtures.call("payments.charge")).outcome == .allow)
    }

    @Test func globPatternsFollowFnmatch() throws {
        let mvp = try Fixtures.policy("tools:\n  allow: [\"crm.*\"]\n  deny: [\"payments.*\"]\n")
        #expect(mvp.evaluate(Fixtures.call("crm.read")).outcome == .allow)
        #expect(mvp.evaluate(Fixtures.call("payments.refund")).outcome == .deny)
        #expect(mvp.evaluate(Fixtures.call("crm")).outcome == .deny)
    }

    @Test func unmatchedToolIsDenied() {
        let decision = policy.evaluate(Fixtures.call("shell.exec"))
        #expect(decision.outcome == .deny)
        #expect(decision.rule == "defaults.decision")
    }

    @Test func denyRuleAppliesOnlyWhenItsConditionHolds() {
        #expect(policy.evaluate(Fixtures.call("crm.export", ["rows": 50])).outcome == .allow)
        let denied = policy.evaluate(Fixtures.call("crm.export", ["rows": 50000]))
        #expect(denied.outcome == .deny)
        #expect(denied.rule == "no-bulk-export")
        #expect(denied.explanation == "bulk exports need a ticket")
    }

    @Test func undecidableDenyConditionDenies() {
        let traced = policy.trace(Fixtures.call("crm.export", [:]))
        #expect(traced.decision.outcome == .deny)
        #expect(traced.steps.contains { $0.result == .unknown })
    }

    @Test func schemaFailureNamesTheMissingField() {
        let decision = policy.evaluate(Fixtures.call("email.send", ["recipient": "a@b.co", "subject": "hi"]))
        #expect(decision.outcome == .deny)
        #expect(decision.rule == "tools.schemas[0]")
        #expect(decision.explanation.contains("body"))
    }

    @Test func schemaFailureNamesTheExtraField() {
        let decision = policy.evaluate(
            Fixtures.call("email.send", ["recipient": "a@b.co", "subject": "hi", "body": "x", "bcc": "c@d.co"]))
        #expect(decision.outcome == .deny)
        #expect(decision.explanation.contains("bcc"))
    }

    @Test func schemaFailureNamesBothTheMissingAndTheExtraField() {
        let decision = policy.evaluate(
            Fixtures.call("email.send", ["recipient": "a@b.co", "subject": "hi", "bcc": "c@d.co"]))
        #expect(decision.outcome == .deny)
        #expect(decision.explanation.contains("\"body\""), "\(decision.explanation)")
        #expect(decision.explanation.contains("\"bcc\""), "\(decision.explanation)")
    }

    @Test func schemaFailureNamesTheFailingPath() {
        let decision = policy.evaluate(Fixtures.call("email.send", ["recipient": 7, "subject": "hi", "body": "x"]))
        #expect(decision.outcome == .deny)
        #expect(decision.explanation.contains("/recipient"))
    }

    @Test func validParametersPassTheSchema() {
        let traced = policy.trace(
            Fixtures.call("email.send", ["recipient": "a@company.com", "subject": "hi", "body": "x"]))
        #expect(traced.decision.outcome == .allow)
        #expect(traced.steps.contains { $0.check.hasPrefix("tools.schemas[0]") && $0.result == .passed })
    }

    @Test func chainDepthOverTheLimitIsDenied() {
        #expect(policy.evaluate(Fixtures.call("crm.read", depth: 2)).outcome == .allow)
        let decision = policy.evaluate(Fixtures.call("crm.read", depth: 3))
        #expect(decision.outcome == .deny)
        #expect(decision.rule == "budgets.max_chain_depth")
    }

    @Test func chainDepthAppliesToHTTPRequestsToo() throws {
        let network = try Fixtures.policy("network:\n  allow_domains: [a.com]\nbudgets:\n  max_chain_depth: 1\n")
        #expect(network.evaluate(HTTPRequest(url: "https://a.com/", chainDepth: 1)).outcome == .allow)
        #expect(network.evaluate(HTTPRequest(url: "https://a.com/", chainDepth: 2)).outcome == .deny)
    }

    @Test func costOverAStaticLimitIsDenied() {
        #expect(policy.evaluate(Fixtures.call("crm.read", cost: 1.5)).outcome == .allow)
        let decision = policy.evaluate(Fixtures.call("crm.read", cost: 1.51))
        #expect(decision.outcome == .deny)
        #expect(decision.rule == "budgets.max_usd_per_request")
    }

    @Test func allowedDecisionCarriesTheCostForTheLedger() {
        let decision = policy.evaluate(Fixtures.call("crm.read", cost: 0.25))
        #expect(decision.costMicroUSD == 250_000)
    }

    @Test func approvalRuleCarriesCountGroupAndTTL() {
        let decision = policy.evaluate(Fixtures.call("payments.refund", ["amount": 500, "currency": "USD"]))
        #expect(decision.outcome == .needsApproval)
        #expect(decision.rule == "big-refunds")
        #expect(decision.approval == ApprovalRequirement(requiredApprovals: 2, group: "finance", ttlSeconds: 1800))
    }

    @Test func firstMatchingApprovalRuleWins() {
        let decision = policy.evaluate(Fixtures.call("payments.refund", ["amount": 5, "currency": "EUR"]))
        #expect(decision.rule == "any-refund-in-eur")
        #expect(
            decision.approval == ApprovalRequirement(requiredApprovals: 1, group: "finance-approvers", ttlSeconds: 7200)
        )
    }

    @Test func approvalConditionFalseMeansAllow() {
        let decision = policy.evaluate(Fixtures.call("payments.refund", ["amount": 5, "currency": "USD"]))
        #expect(decision.outcome == .allow)
        #expect(decision.rule == "tools.allow[1]")
    }

    @Test func undecidableApprovalConditionRequiresApproval() {
        let decision = policy.evaluate(Fixtures.call("payments.refund", ["currency": "USD"]))
        #expect(decision.outcome == .needsApproval)
        #expect(decision.explanation.contains("amount"))
    }

    @Test func denyBeatsApproval() throws {
        let both = try Fixtures.policy(
            """
            tools:
              allow: [x]
              deny: [x]
              approvals: [{tool: x, require: human}]
            """)
        #expect(both.evaluate(Fixtures.call("x")).outcome == .deny)
    }

    @Test func schemaFailureBeatsApproval() {
        let valid = policy.evaluate(
            Fixtures.call("email.send", ["recipient": "a@gmail.com", "subject": "s", "body": "b"]))
        #expect(valid.outcome == .needsApproval)
        #expect(valid.rule == "outside-email")
        let invalid = policy.evaluate(Fixtures.call("email.send", ["recipient": "a@gmail.com", "subject": "s"]))
        #expect(invalid.outcome == .deny)
        #expect(invalid.rule == "tools.schemas[0]")
    }

    @Test func allowRuleWithConditionAllowsOnlyWhenItHolds() {
        #expect(policy.evaluate(Fixtures.call("admin.report", depth: 0)).outcome == .allow)
        #expect(policy.evaluate(Fixtures.call("admin.report", depth: 1)).outcome == .deny)
    }

    @Test func defaultApprovalSendsUnlistedToolsToApprovers() throws {
        let approval = try Fixtures.policy("defaults:\n  decision: approval\ntools:\n  allow: [a]\n")
        let decision = approval.evaluate(Fixtures.call("b"))
        #expect(decision.outcome == .needsApproval)
        #expect(decision.rule == "defaults.decision")
        #expect(approval.evaluate(Fixtures.call("a")).outcome == .allow)
    }

    @Test func emptyPolicyDeniesEverything() throws {
        let empty = try Fixtures.policy("agent: nobody\n")
        #expect(empty.evaluate(Fixtures.call("crm.read")).outcome == .deny)
        #expect(empty.evaluate(Fixtures.get("https://api.company.com/")).outcome == .deny)
    }

    @Test func requestsParseFromTheirWireForm() throws {
        let call = try PolicyRequest(
            json: .object([
                "tool": "email.send", "params": .object(["recipient": "a@b.c"]), "chain_depth": 1,
                "cost_usd": .number(JSONNumber(0.01)!),
            ]))
        #expect(
            call
                == .toolCall(
                    ToolCall(
                        tool: "email.send", parameters: .object(["recipient": "a@b.c"]), chainDepth: 1,
                        costUSD: JSONNumber(0.01))))
        let http = try PolicyRequest(json: .object(["http": .object(["method": "get", "url": "https://x.y/"])]))
        #expect(http == .http(HTTPRequest(method: "GET", url: "https://x.y/")))
        #expect(throws: RequestError.self) { try PolicyRequest(json: .object(["tool": "x", "parmas": .object([:])])) }
        #expect(throws: RequestError.self) { try PolicyRequest(json: .object(["params": .object([:])])) }
        #expect(throws: RequestError.self) { try PolicyRequest(json: .object(["tool": "x", "chain_depth": -1])) }
    }

    /// A compiled policy is shared by concurrent tasks and decides exactly as it does alone.
    @Test func concurrentEvaluationAgreesWithSequential() async throws {
        let policy = self.policy
        let tools = ["payments.refund", "email.send", "crm.export", "shell.exec"]
        var built: [ToolCall] = []
        for index in 0..<200 {
            let parameters: [String: JSONValue] = [
                "amount": .number(JSONNumber(index * 3)), "currency": .string(index % 2 == 0 ? "EUR" : "USD"),
                "rows": .number(JSONNumber(index * 100)), "recipient": "a@company.com", "subject": "s", "body": "b",
            ]
            built.append(Fixtures.call(tools[index % 4], parameters))
        }
        let calls = built
        let expected = calls.map { policy.evaluate($0).rule }
        let results = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { calls.map { policy.evaluate($0).rule } } }
            var all: [[String]] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 4)
        for result in results { #expect(result == expected) }
    }
}
