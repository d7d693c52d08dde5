import JSON
import SandboxPolicy
import SandboxState
import Testing

@Suite struct DecideTests {
    let read: JSONValue = ["customer": "c-1", "fields": ["name"], "limit": 10]

    @Test func anAllowedCallDebitsTheBudgetAndIsAudited() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        let answer = try h.decide("bot", "r1", tool: "crm.read", read, cost: "0.25")
        #expect(answer.outcome == .allow)
        #expect(answer.policyVersion == 1)
        #expect(answer.costMicrodollars == 250_000)
        #expect(answer.budget?.requests == 1)
        #expect(answer.budget?.microdollars == 250_000)
        #expect(answer.budget?.maxMicrodollars == 1_500_000)
        let record = try #require(try h.queries.auditRecord(answer.decisionID))
        #expect(record.body?["outcome"] == "allow")
        #expect(record.body?["request"]?["tool"] == "crm.read")
        #expect(try h.queries.budget(of: "bot")?.requests == 1)
    }

    /// The state machine keeps the last cost's canonical text for the next record: each record
    /// still carries its own cost, in one batch and across batches, equal numbers written alike.
    @Test func eachRecordCarriesItsOwnCost() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        let costs = ["0.25", "0.25", "0.1", "0.10", "1", "0.001", "0.25", "2.50"]
        let canonical = ["0.25", "0.25", "0.1", "0.1", "1", "0.001", "0.25", "2.5"]
        var sequences: [UInt64] = []
        for (i, cost) in costs.enumerated() where i < 4 {
            sequences.append(try h.decide("bot", "r\(i)", tool: "crm.read", read, cost: cost).decisionID)
        }
        let batch = costs.enumerated().dropFirst(4).map { i, cost in
            h.entry(
                .decide(
                    DecideCommand(
                        requestID: "r\(i)", agent: "bot",
                        request: .tool(
                            name: "crm.read", parameters: read, chainDepth: 0, costUSD: JSONNumber(literal: cost)),
                        node: 1)))
        }
        sequences += try h.apply(batch).map { try #require($0.decision).decisionID }
        for (sequence, expected) in zip(sequences, canonical) {
            let record = try #require(try h.queries.auditRecord(sequence))
            let text = String(decoding: record.canonicalBody, as: UTF8.self)
            #expect(text.contains("\"cost_usd\":\(expected),"), "record \(sequence): \(text)")
        }
        #expect(sequences.count == costs.count)
    }

    /// The state machine builds each policy reason's sentence once and keeps it (bounded; 2
    /// here, so the kept ones are also dropped): every answer and record still carries the
    /// sentence of its own decision, as the policy engine words it.
    @Test func eachDecisionCarriesItsOwnReason() throws {
        var limits = StateLimits()
        limits.maxCachedReasonTexts = 2
        let h = try Harness(limits: limits)
        let wide = """
            tools:
              allow: ["crm.*", "email.*"]
            """
        try h.agent("bot", policy: Policies.standard)
        try h.agent("wide", policy: wide)
        let policies = ["bot": try CompiledPolicy(yaml: Policies.standard), "wide": try CompiledPolicy(yaml: wide)]
        let calls: [(agent: String, tool: String, parameters: JSONValue)] = [
            ("bot", "crm.read", read), ("wide", "crm.read", read), ("bot", "crm.read", ["customer": 5]),
            ("bot", "crm.read", read), ("bot", "crm.read", ["limit": "x"]), ("wide", "email.send", [:]),
            ("bot", "prod_db.write", [:]), ("wide", "prod_db.write", [:]), ("wide", "crm.read", read),
            ("bot", "crm.read", ["customer": 5]),
        ]
        var reasons: Set<String> = []
        for (i, call) in calls.enumerated() {
            let answer = try h.decide(call.agent, "r\(i)", tool: call.tool, call.parameters)
            let expected = try #require(policies[call.agent])
                .evaluate(ToolCall(tool: call.tool, parameters: call.parameters)).explanation
            #expect(answer.reason == expected, "call \(i)")
            let record = try #require(try h.queries.auditRecord(answer.decisionID))
            #expect(record.body?["reason"] == .string(expected), "record of call \(i)")
            reasons.insert(expected)
        }
        #expect(reasons.count == 7, "the calls have seven distinct reasons")
    }

    @Test func theSchemaAndDenyListDecideAndDebitNothing() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        let bad = try h.decide("bot", "r1", tool: "crm.read", ["customer": 5], cost: "1")
        #expect(bad.outcome == .deny)
        #expect(try h.decide("bot", "r2", tool: "prod_db.write").outcome == .deny)
        #expect(try h.queries.budget(of: "bot")?.requests == 0)
        #expect(try h.queries.budget(of: "bot")?.microdollars == 0)
    }

    @Test func aRetryGetsTheSameAnswerAndNoSecondDebit() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        let first = try h.decide("bot", "r1", tool: "crm.read", read, cost: "0.5")
        let again = try h.decide("bot", "r1", tool: "crm.read", read, cost: "0.5")
        #expect(again.replayed)
        #expect(again.decisionID == first.decisionID)
        #expect(again.outcome == first.outcome)
        #expect(again.budget == first.budget)
        #expect(try h.queries.budget(of: "bot")?.microdollars == 500_000)
        #expect(try h.queries.auditHead().nextSequence == first.decisionID + 1)
    }

    @Test func theDailyBudgetsStopAtTheLimitAndResetNextDay() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        var outcomes: [DecisionAnswer.Outcome] = []
        for i in 0..<4 { outcomes.append(try h.decide("bot", "m\(i)", tool: "crm.read", read, cost: "0.5").outcome) }
        #expect(outcomes == [.allow, .allow, .allow, .deny])
        let refused = try h.decide("bot", "m9", tool: "crm.read", read, cost: "0.5")
        #expect(refused.rule == "budgets.max_usd_per_day")
        #expect(try h.decide("bot", "m10", tool: "crm.read", read).outcome == .allow)
        #expect(try h.decide("bot", "m11", tool: "crm.read", read).outcome == .allow)
        let count = try h.decide("bot", "m12", tool: "crm.read", read)
        #expect(count.outcome == .deny)
        #expect(count.rule == "budgets.max_requests_per_day")
        h.timeMillis += 86_400_000
        #expect(try h.decide("bot", "n1", tool: "crm.read", read, cost: "0.5").outcome == .allow)
        #expect(try h.queries.budget(of: "bot")?.requests == 1)
    }

    @Test func timeNeverGoesBackward() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        for i in 0..<5 { _ = try h.decide("bot", "a\(i)", tool: "crm.read", read, cost: "0.25") }
        h.timeMillis -= 86_400_000  // a stamp from yesterday: the day does not go back
        let answer = try h.decide("bot", "late", tool: "crm.read", read, cost: "0.25")
        #expect(answer.outcome == .deny)
        #expect(answer.timeMillis == Harness.day0)
    }

    @Test func aPolicyPublishedAtIndexIGovernsTheNextDecision() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        #expect(try h.decide("bot", "r1", tool: "calendar.add").outcome == .deny)
        let published = try h.apply(.publishPolicy(agent: "bot", yaml: Policies.allowAll, mode: .enforce, actor: "ops"))
        #expect(
            published.outcome
                == .applied(
                    .policy(agent: "bot", version: 2, sha256: SHA256.hash(Policies.allowAll.utf8), mode: .enforce)))
        let answer = try h.decide("bot", "r2", tool: "calendar.add")
        #expect(answer.outcome == .allow)
        #expect(answer.policyVersion == 2)
    }

    @Test func shadowModeReportsButTheEnforcedVersionDecides() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        try h.must(.publishPolicy(agent: "bot", yaml: Policies.allowAll, mode: .shadow, actor: "ops"))
        let answer = try h.decide("bot", "r1", tool: "calendar.add")
        #expect(answer.outcome == .deny)
        #expect(answer.policyVersion == 1)
        #expect(answer.shadow?.version == 2)
        #expect(answer.shadow?.outcome == .allow)
        try h.must(.setPolicyMode(agent: "bot", version: 2, mode: .enforce, actor: "ops"))
        #expect(try h.decide("bot", "r2", tool: "calendar.add").outcome == .allow)
        // Rollback: version 1's text as version 3.
        try h.must(.activatePolicy(agent: "bot", version: 1, mode: .enforce, actor: "ops"))
        let back = try h.decide("bot", "r3", tool: "calendar.add")
        #expect(back.outcome == .deny)
        #expect(back.policyVersion == 3)
        #expect(try h.queries.policyVersions("bot").map(\.copiedFrom) == [0, 0, 1])
        let diff = try #require(try h.queries.policyDiff("bot", from: 2, to: 3))
        #expect(!diff.changes.isEmpty)
    }

    /// Shadow mode for the enforced version is refused in apply: a promotion applied just before
    /// (in the same batch, as two racing requests would be) cannot be undone into serving an
    /// older version.
    @Test func theEnforcedVersionIsNeverPutInShadow() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        try h.must(.publishPolicy(agent: "bot", yaml: Policies.allowAll, mode: .shadow, actor: "ops"))
        let raced = try h.apply([
            h.entry(.setPolicyMode(agent: "bot", version: 2, mode: .enforce, actor: "a")),
            h.entry(.setPolicyMode(agent: "bot", version: 2, mode: .shadow, actor: "b")),
        ])
        #expect(raced[0].error == nil)
        #expect(raced[1].error == .wouldLowerVersion(agent: "bot", version: 2))
        let head = try #require(try h.queries.policyHead("bot"))
        #expect(head.enforced == 2 && head.shadow == 0)
        #expect(try h.decide("bot", "r1", tool: "calendar.add").policyVersion == 2)
        #expect(try h.apply(.setPolicyMode(agent: "bot", version: 1, mode: .shadow, actor: "b")).error != nil)
    }

    @Test func withoutAPolicyOrWhenDisabledTheAgentIsDenied() throws {
        let h = try Harness()
        try h.must(.createTenant(id: "acme", name: "Acme", actor: "admin"))
        try h.must(.createAgent(tenant: "acme", agent: "new", keyHash: Harness.keyHash("new"), actor: "admin"))
        let none = try h.decide("new", "r1", tool: "crm.read")
        #expect(none.outcome == .deny)
        #expect(none.rule == "policy.missing")
        try h.must(.publishPolicy(agent: "new", yaml: Policies.allowAll, mode: .enforce, actor: "admin"))
        try h.must(.setAgentEnabled(agent: "new", enabled: false, actor: "admin"))
        #expect(try h.decide("new", "r2", tool: "crm.read").rule == "agent.disabled")
    }

    @Test func secretsAreRedactedBeforeTheyAreStored() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        let answer = try h.decide("bot", "r1", tool: "email.send", ["recipient": "eve@evil.example", "body": "hi"])
        #expect(answer.outcome == .needsApproval)
        let record = try #require(try h.queries.auditRecord(answer.decisionID))
        let text = String(decoding: record.canonicalBody, as: UTF8.self)
        #expect(!text.contains("eve@evil.example"))
        #expect(text.contains("[REDACTED:EMAIL]"))
        let id = try #require(answer.approvalID)
        let approval = try #require(try h.queries.approval(id))
        #expect(!approval.redactedParameters.contains("eve@evil.example"))
    }

    @Test func unknownAgentsAndBadPoliciesAreRefusedAndChangeNothing() throws {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        let before = try h.queries.digest()
        let request = DecisionRequest.tool(name: "x", parameters: [:], chainDepth: 0, costUSD: nil)
        let unknown = try h.apply(.decide(DecideCommand(requestID: "r", agent: "ghost", request: request, node: 1)))
        #expect(unknown.error == .unknownAgent("ghost"))
        let bad = try h.apply(.publishPolicy(agent: "bot", yaml: "tools: {alow: []}", mode: .enforce, actor: "x"))
        guard case .invalidPolicy? = bad.error else {
            Issue.record("expected an invalid policy, got \(bad)")
            return
        }
        let afterDigest = try StateQueries(h.storage).digest()
        // Only the applied index and nothing else moved: the digest covers keys, not the index.
        #expect(afterDigest == before)
    }
}
