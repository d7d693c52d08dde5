import Testing

@testable import SandboxPolicy

@Suite struct PolicyDiffTests {
    @Test func reportsEverySectionWithItsEffect() throws {
        let old = try PolicyDocument(yaml: Fixtures.text("policies/examples/sales_agent.yaml"))
        let new = try PolicyDocument(
            yaml: """
                agent: "sales_assistant"
                tools:
                  allow: ["crm.*", "email.draft", "email.send"]
                  deny: ["payments.*"]
                  approvals:
                    - tool: "email.send"
                      condition: "recipient not endswith('@corp.example')"
                      require: "human"
                rules:
                  - {name: big-export, match: crm.export, where: "rows > 1000", action: deny}
                network:
                  deny_all_others: true
                  allow_domains: ["api.company.com", "api.stripe.com"]
                budgets:
                  max_requests_per_day: 3000
                  max_usd_per_day: 50
                  max_chain_depth: 3
                logging:
                  sample_rate: 0.02
                  redact: ["EMAIL","PHONE","CREDIT_CARD","API_KEY"]
                """)
        let lines = PolicyDiff(from: old, to: new).changes.map(\.description)
        #expect(lines.contains("+ tools.allow: `crm.*` (widens)"))
        #expect(lines.contains("- tools.allow: `crm.read` (narrows)"))
        #expect(lines.contains("- tools.deny: `prod_db.write` (widens)"))
        #expect(lines.contains("+ rule `big-export`: deny `crm.export` where `rows > 1000` (narrows)"))
        #expect(lines.contains { $0.hasPrefix("~ rule `tools.approvals[0]`: condition") && $0.hasSuffix("(review)") })
        #expect(lines.contains("+ network.allow_domains: `api.stripe.com` (widens)"))
        #expect(lines.contains("- network.allow_domains: `outlook.office365.com` (narrows)"))
        #expect(lines.contains("~ budgets.max_usd_per_day: 25 -> 50 (widens)"))
        #expect(lines.contains("~ budgets.max_chain_depth: 4 -> 3 (narrows)"))
        #expect(lines.count == 9)
    }

    @Test func formattingIsNotAChange() throws {
        let text = try Fixtures.text("policies/examples/sales_agent.yaml")
        let reformatted = text.replacingOccurrences(
            of: "[\"crm.read\", \"email.draft\", \"email.send\"]",
            with: "\n    - crm.read\n    - email.draft\n    - email.send")
        #expect(reformatted != text)
        let diff = PolicyDiff(from: try PolicyDocument(yaml: text), to: try PolicyDocument(yaml: reformatted))
        #expect(diff.changes.isEmpty)
        #expect(diff.report == "no semantic changes")
    }
}
