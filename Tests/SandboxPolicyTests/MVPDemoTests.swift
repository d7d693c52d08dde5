import JSONSchema
import Testing

@testable import SandboxPolicy

/// The original MVP's demo, against `policies/examples/sales_agent.yaml` (the MVP's file without its
/// `api_key:` line, which would sit in every signed bundle).
@Suite struct MVPDemoTests {
    let policy: CompiledPolicy

    init() throws { policy = try Fixtures.salesAgent() }

    @Test func crmReadIsAllowed() {
        let decision = policy.evaluate(Fixtures.call("crm.read", ["account_id": "123"]))
        #expect(decision.outcome == .allow)
        #expect(decision.rule == "tools.allow[0]")
    }

    @Test func emailToAnOutsiderNeedsHumanApproval() {
        let decision = policy.evaluate(Fixtures.call("email.send", ["recipient": "user@gmail.com"]))
        #expect(decision.outcome == .needsApproval)
        #expect(decision.rule == "tools.approvals[0]")
        #expect(decision.approval == ApprovalRequirement(requiredApprovals: 1, group: "human", ttlSeconds: 3600))
    }

    @Test func emailToAColleagueIsAllowed() {
        let decision = policy.evaluate(Fixtures.call("email.send", ["recipient": "colleague@company.com"]))
        #expect(decision.outcome == .allow)
        #expect(decision.rule == "tools.allow[2]")
    }

    @Test func paymentsAreDenied() {
        let decision = policy.evaluate(Fixtures.call("payments.charge", ["amount": 100]))
        #expect(decision.outcome == .deny)
        #expect(decision.rule == "tools.deny[0]")
        #expect(decision.explanation.contains("payments.*"))
    }

    @Test func allowedDomainIsAllowed() {
        let decision = policy.evaluate(Fixtures.get("https://api.company.com/customers?limit=5"))
        #expect(decision.outcome == .allow)
        #expect(decision.rule == "network.allow_domains[0]")
    }

    @Test func otherDomainsAreDenied() {
        let decision = policy.evaluate(Fixtures.get("https://example.com/"))
        #expect(decision.outcome == .deny)
        #expect(decision.rule == "network.deny_all_others")
    }

    @Test func theExampleHasNoWarnings() {
        #expect(policy.warnings.isEmpty, "\(policy.warnings)")
    }

    @Test func theMVPFileWithItsAPIKeyLoadsWithAWarning() throws {
        let text = try Fixtures.text("policies/examples/sales_agent.yaml")
        let mvp = try Fixtures.policy(
            text.replacingOccurrences(
                of: "agent: \"sales_assistant\"\n", with: "agent: \"sales_assistant\"\napi_key: \"DEV-AGENT-KEY-123\"\n"
            ))
        let warning = mvp.warnings.first { $0.message.contains("api_key") }
        #expect(warning?.location == SourceLocation(line: 2, column: 1))
        #expect(warning?.severity == .warning)
        #expect(mvp.evaluate(Fixtures.call("crm.read")).outcome == .allow)
    }

    @Test func traceListsEveryCheckInOrder() {
        let trace = policy.trace(Fixtures.call("email.send", ["recipient": "user@gmail.com"])).steps
        #expect(
            trace.map(\.check) == [
                "tools.deny[0] `payments.*`", "tools.deny[1] `prod_db.write`", "tools.allow[0] `crm.read`",
                "tools.allow[1] `email.draft`", "tools.allow[2] `email.send`", "budgets.max_chain_depth",
                "rule `tools.approvals[0]` (approval)",
            ])
        #expect(trace.map(\.result) == [.noMatch, .noMatch, .noMatch, .noMatch, .matched, .passed, .matched])
    }
}
