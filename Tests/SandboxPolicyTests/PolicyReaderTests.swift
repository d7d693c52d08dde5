import JSONSchema
import Testing

@testable import SandboxPolicy

@Suite struct PolicyReaderTests {
    @Test func unknownKeysAreErrorsWithPositionAndSuggestion() {
        let errors = Fixtures.errors("tools:\n  alow: [crm.read]\n")
        #expect(errors.count == 1)
        #expect(errors.first?.location == SourceLocation(line: 2, column: 3))
        #expect(errors.first?.message == "unknown key `alow` in `tools`; did you mean `allow`?")
    }

    @Test func unknownTopLevelKeysAreErrors() {
        let errors = Fixtures.errors("agent: a\nbudget:\n  max_chain_depth: 3\n")
        #expect(errors.first?.location == SourceLocation(line: 2, column: 1))
        #expect(errors.first?.message.contains("did you mean `budgets`?") == true)
    }

    @Test func conditionErrorsPointIntoTheFile() {
        let errors = Fixtures.errors(
            """
            tools:
              allow: [email.send]
              approvals:
                - tool: email.send
                  condition: "recipient not endswith('@company.com'"
            """)
        #expect(errors.count == 1)
        // The quote opens at column 18; the unclosed `(` is at offset 22 of the condition.
        #expect(errors.first?.location == SourceLocation(line: 5, column: 18 + 1 + 37))
        #expect(errors.first?.message.contains("expected `)`") == true)
    }

    @Test func plainConditionErrorsPointIntoTheFile() {
        let errors = Fixtures.errors("rules:\n  - match: x\n    where: amount = 5\n    action: deny\n")
        #expect(errors.first?.location == SourceLocation(line: 3, column: 12 + 7))
    }

    @Test func escapedQuotesDoNotShiftTheColumn() {
        // `\"` takes two columns in the file but is one character of the condition.
        let errors = Fixtures.errors(
            "rules:\n  - match: x\n    action: deny\n    where: \"a endswith \\\"@x\\\" and = 1\"\n")
        // The quote opens at column 12; `=` is at offset 20 of `a endswith "@x" and = 1`.
        #expect(errors.first?.location == SourceLocation(line: 4, column: 12 + 1 + 20 + 2))
    }

    @Test func literalBlockConditionErrorsPointIntoTheBlock() {
        let errors = Fixtures.errors(
            """
            rules:
              - match: x
                action: deny
                where: |
                  amount > 1 and
                  currency = 'EUR'
            """)
        #expect(errors.first?.location == SourceLocation(line: 6, column: 16))
        let atEnd = Fixtures.errors("rules:\n  - match: x\n    action: deny\n    where: |\n      amount >\n")
        #expect(atEnd.first?.location == SourceLocation(line: 5, column: 15))
    }

    @Test func wrongTypesAndValuesAreErrors() {
        #expect(
            Fixtures.errors("budgets:\n  max_chain_depth: deep\n").first?.location
                == SourceLocation(line: 2, column: 20))
        #expect(
            Fixtures.errors("defaults:\n  decision: maybe\n").first?.message.contains("deny, approval or allow") == true
        )
        #expect(
            Fixtures.errors("rules:\n  - match: x\n    action: alow\n").first?.message.contains("did you mean `allow`")
                == true)
        #expect(Fixtures.errors("rules:\n  - match: x\n").first?.message.contains("needs `action`") == true)
        #expect(Fixtures.errors("rules:\n  - {match: [], action: deny}\n").first?.message.contains("is empty") == true)
        #expect(
            Fixtures.errors("logging:\n  redact: [EMAILS]\n").first?.message.contains("did you mean `EMAIL`") == true)
        #expect(Fixtures.errors("logging:\n  sample_rate: 2\n").isEmpty == false)
        #expect(Fixtures.errors("network:\n  allow_cidrs: [10.0.0.1/8]\n").isEmpty == false)
        #expect(Fixtures.errors("network:\n  allow_domains: [\"exa mple.com\"]\n").isEmpty == false)
        #expect(
            Fixtures.errors("network:\n  allow_domains: [\"10.0.0.1\"]\n").first?.message.contains("allow_cidrs")
                == true)
        #expect(Fixtures.errors("tools:\n  allow: x\n  allow: y\n").first?.message.contains("duplicate") == true)
        #expect(
            Fixtures.errors("rules:\n  - {name: a, match: x, action: deny}\n  - {name: a, match: y, action: deny}\n")
                .count == 1)
        #expect(Fixtures.errors("tools: [a, b]\n").first?.message.contains("must be a mapping") == true)
        #expect(Fixtures.errors("tools:\n  allow: [a\n").first?.message.contains("invalid YAML") == true)
        #expect(
            Fixtures.errors("rules:\n  - match: x\n    action: deny\n    where: a\n    condition: b\n").first?.message
                .contains("keep one") == true)
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        #expect(Fixtures.errors("tols: {}\nbudgets:\n  max_chain_dept: 1\nnetwork:\n  allow_domain: []\n").count == 3)
    }

    @Test func yamlOneOneBooleansStayStrings() throws {
        let policy = try Fixtures.policy("tools:\n  allow: [on, no, yes]\n")
        #expect(policy.document.tools.allow.map(\.text) == ["on", "no", "yes"])
    }

    @Test func aliasBombsAreStopped() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        #expect(Fixtures.errors(yaml).isEmpty == false)
    }

    @Test func nonMappingsAndEmptyFilesAreErrors() {
        #expect(Fixtures.errors("just a string\n").first?.message == "the policy must be a mapping, not a scalar")
        #expect(Fixtures.errors("").first?.message == "the policy is empty")
        #expect(Fixtures.errors("a: 1\n---\nb: 2\n").isEmpty == false)
        // Merge keys are not special (the core schema has none): `<<` is an unknown key.
        let merge = Fixtures.errors("base: &b {allow: [x]}\ntools:\n  <<: *b\n")
        #expect(merge.contains { $0.message == "unknown key `<<` in `tools`" })
    }

    @Test func deepNestingIsRefusedNotACrash() {
        #expect(!Fixtures.errors("a: " + String(repeating: "[", count: 100_000)).isEmpty)
        #expect(
            !Fixtures.errors("a: " + String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000))
                .isEmpty)
        var blocks = ""
        for level in 0..<300 { blocks += String(repeating: " ", count: level) + "k\(level):\n" }
        #expect(!Fixtures.errors(blocks).isEmpty)
    }

    @Test func warningsFlagFailOpenChoices() throws {
        let policy = try Fixtures.policy(
            """
            defaults:
              decision: allow
            tools:
              allow: ["*", "payments.refund"]
              deny: ["payments.*"]
              approvals:
                - {tool: shell.exec, require: ops}
            network:
              deny_all_others: false
            """)
        let messages = policy.warnings.map(\.message)
        #expect(messages.contains { $0.contains("fails open") })
        #expect(messages.contains { $0.contains("allows every tool") })
        #expect(messages.contains { $0.contains("deny wins") })
        #expect(messages.contains { $0.contains("any public host") })
    }

    @Test func approvalForAToolNoAllowPatternListsIsFlagged() throws {
        let policy = try Fixtures.policy("tools:\n  allow: [a]\n  approvals:\n    - {tool: b, require: ops}\n")
        #expect(policy.warnings.contains { $0.message.contains("no allow pattern allows") })
    }

    @Test func schemaReferencesGoThroughTheResolver() throws {
        let yaml = "tools:\n  allow: [t]\n  schemas:\n    t: schemas/t.json\n"
        var asked: [String] = []
        let policy = try CompiledPolicy(yaml: yaml) { reference in
            asked.append(reference)
            return ["type": "object", "required": ["id"]]
        }
        #expect(asked == ["schemas/t.json"])
        #expect(policy.evaluate(Fixtures.call("t", [:])).outcome == .deny)
        #expect(policy.evaluate(Fixtures.call("t", ["id": 1])).outcome == .allow)
        let unresolved = Fixtures.errors(yaml)
        #expect(unresolved.first?.location == SourceLocation(line: 4, column: 5))
    }
}
