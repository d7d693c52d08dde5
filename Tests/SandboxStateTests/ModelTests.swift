import Foundation
import JSON
import SandboxPolicy
import SandboxState
import TestSupport
import Testing

/// Long random command sequences applied to the state machine and to ``ReferenceModel``: the
/// same answers after every step, and the budget invariant (spent ≤ limit, every agent, every
/// day) checked on the machine's own state after every step.
@Suite struct ModelTests {
    static let long = ProcessInfo.processInfo.environment["LONG"] == "1"

    static let policies = [
        """
        tools:
          allow: ["crm.read", "payments.refund", "email.send"]
          approvals:
            - tool: email.send
              condition: "recipient not endswith('@company.com')"
              require: human
        rules:
          - name: big-refunds
            match: payments.refund
            where: "amount > 100"
            action: approval
            required_approvals: 2
            group: finance
            approval_ttl: 30m
        budgets: {max_requests_per_day: 12, max_usd_per_day: 3}
        """,
        """
        tools:
          allow: ["crm.read"]
        budgets: {max_requests_per_day: 12, max_usd_per_day: 3}
        """,
        """
        defaults: {decision: approval, approval_group: human, approval_ttl: 20m}
        budgets: {max_requests_per_day: 12, max_usd_per_day: 3}
        """,
    ]
    static let agents = ["a1", "a2", "a3", "a4"]
    static let voters: [(String, Role, [String])] = [
        ("ann", .approver, ["finance"]), ("bob", .approver, ["finance", "human"]), ("hal", .approver, ["human"]),
        ("vic", .viewer, ["finance", "human"]),
    ]

    @Test(arguments: [1, 2, 3])
    func theMachineAgreesWithTheModel(seed: UInt64) throws {
        try run(seed: seed, perAgentCount: nil)
    }

    /// Each agent keeps only its 8 newest request ids: retries of older ones are new requests.
    @Test func theMachineAgreesWithTheModelWhenAgentsKeepFewRequestIDs() throws {
        try run(seed: 4, perAgentCount: 8)
    }

    /// The cluster moves to key layout 2 (apply rules 2) part-way: the model, which knows no
    /// layouts, still agrees, with few and with many request ids per agent.
    @Test(arguments: [(5, 8), (6, nil)] as [(UInt64, Int?)])
    func theMachineAgreesWithTheModelAcrossTheMoveToKeyLayout2(seed: UInt64, perAgentCount: Int?) throws {
        var random = SeededGenerator(seed: seed &+ 1_000)
        try run(seed: seed, perAgentCount: perAgentCount, moveAt: random.below(Self.long ? 30_000 : 1_500) + 200)
    }

    /// Then to key layout 3 (apply rules 3) later on: the count's trim reads entries from the
    /// order keys; the model still agrees.
    @Test(arguments: [(7, 8), (8, nil)] as [(UInt64, Int?)])
    func theMachineAgreesWithTheModelAcrossTheMovesToKeyLayouts2And3(seed: UInt64, perAgentCount: Int?) throws {
        var random = SeededGenerator(seed: seed &+ 1_000)
        let first = random.below(Self.long ? 15_000 : 700) + 100
        let second = first + random.below(Self.long ? 15_000 : 700) + 100
        try run(seed: seed, perAgentCount: perAgentCount, moveAt: first, layoutThreeAt: second)
    }

    private func run(seed: UInt64, perAgentCount: Int?, moveAt: Int? = nil, layoutThreeAt: Int? = nil) throws {
        var random = SeededGenerator(seed: seed)
        var limits = StateLimits()
        if let perAgentCount { limits.maxIdempotencyKeysPerAgent = perAgentCount }
        let h = try Harness(limits: limits)
        var model = ReferenceModel()
        model.perAgentCount = perAgentCount ?? .max
        model.tick(h.timeMillis)
        try setUp(h, &model)
        var sent: [DecideCommand] = []
        var counts = (allow: 0, deny: 0, approval: 0, votes: 0, replays: 0, consumed: 0)
        let steps = Self.long ? 40_000 : 2_000
        for step in 0..<steps {
            if step == moveAt { try h.must(.setRulesVersion(version: 2, actor: "cluster")) }
            if step == layoutThreeAt { try h.must(.setRulesVersion(version: 3, actor: "cluster")) }
            h.timeMillis += UInt64(random.below(120_000))
            if random.chance(1) { h.timeMillis += 6 * 3_600_000 }
            model.tick(h.timeMillis)
            let roll = random.below(100)
            if roll < 75 {
                let command = randomDecide(&random, sent)
                sent.append(command)
                let index = h.nextIndex
                let answer = try #require(try h.apply(.decide(command)).decision, "step \(step)")
                let expected = model.decide(command, index: index)
                try compare(answer, expected, step: step)
                switch answer.outcome {
                case .allow: counts.allow += 1
                case .deny: counts.deny += 1
                case .needsApproval: counts.approval += 1
                }
                if answer.replayed { counts.replays += 1 }
                if answer.outcome == .allow, answer.approvalID != nil, !answer.replayed { counts.consumed += 1 }
            } else if roll < 95 {
                let pending = model.approvals.filter { $0.value.status(at: model.clock) == .pending }.keys.sorted()
                let any = model.approvals.keys.sorted()
                let ids = random.chance(80) && !pending.isEmpty ? pending : any
                let id = ids.isEmpty || random.chance(5) ? 999_999 : random.pick(ids)
                let (voter, _, _) = random.pick(Self.voters)
                let approve = random.chance(85)
                let result = try h.vote(id, voter, approve: approve)
                let expected = model.vote(id, voter, approve: approve)
                if case .applied(.approval(_, let status)) = result.outcome {
                    #expect(status == expected, "step \(step): vote \(voter) on \(id)")
                    counts.votes += 1
                } else {
                    #expect(
                        expected == nil,
                        "step \(step): vote \(voter) on \(id) refused: \(String(describing: result.error))")
                }
            } else {
                let agent = random.pick(Self.agents)
                let yaml = random.pick(Self.policies)
                try h.must(.publishPolicy(agent: agent, yaml: yaml, mode: .enforce, actor: "ops"))
                model.publish(agent, yaml)
            }
            try checkBudgets(h)
            if step % 250 == 0 || step == steps - 1 { try checkDigest(h, step: step) }
        }
        // The run did real work of every kind.
        #expect(counts.allow > steps / 20 && counts.deny > steps / 20 && counts.approval > steps / 50, "\(counts)")
        #expect(counts.votes > steps / 100 && counts.replays > steps / 50 && counts.consumed > 5, "\(counts)")
        #expect(try h.queries.verifyAudit().isValid)
        #expect(try h.queries.auditHead().nextSequence == model.sequence + 1)
    }

    /// The digest apply keeps equals a full pass over the store, and is what the store holds.
    private func checkDigest(_ h: Harness, step: Int) throws {
        let recomputed = try h.queries.recomputeDigest()
        #expect(h.machine.digest == recomputed, "step \(step)")
        #expect(try h.queries.storedDigest() == recomputed, "step \(step)")
        #expect(recomputed != StateDigest(), "step \(step)")
    }

    private func setUp(_ h: Harness, _ model: inout ReferenceModel) throws {
        for (i, agent) in Self.agents.enumerated() {
            try h.agent(agent, policy: Self.policies[i % Self.policies.count])
            model.sequence += (i == 0 ? 1 : 0) + 1  // tenant once, agent
            model.publish(agent, Self.policies[i % Self.policies.count])
        }
        for (id, role, groups) in Self.voters {
            try h.approver(id, groups: groups, role: role)
            model.principals[id] = (role, Set(groups))
            model.sequence += 1 + UInt64(groups.count)
        }
    }

    private func randomDecide(_ random: inout SeededGenerator, _ sent: [DecideCommand]) -> DecideCommand {
        let agent = random.pick(Self.agents)
        if random.chance(30), !sent.isEmpty {
            var again = sent[sent.count - 1 - random.below(min(sent.count, 200))]  // a recent request, again
            // Half as a retry (the same request id), half as the agent asking the same call
            // anew (a new id: how an approval is collected).
            if random.chance(50) { again.requestID = "r\(random.below(1_000_000))" }
            return again
        }
        let tool = random.pick(["crm.read", "crm.read", "payments.refund", "email.send", "prod.write"])
        var parameters: [String: JSONValue] = ["customer": .string("c\(random.below(3))")]
        if tool == "payments.refund" { parameters["amount"] = .number(JSONNumber(random.pick([50, 500, 900]))) }
        if tool == "email.send" { parameters["recipient"] = .string(random.pick(["a@company.com", "x@evil.example"])) }
        let cost = random.pick([nil, "0.1", "0.5", "1.25", "0.0000015"]).flatMap { JSONNumber(literal: $0) }
        return DecideCommand(
            requestID: "r\(random.below(1_000_000))", agent: agent,
            request: .tool(name: tool, parameters: .object(parameters), chainDepth: 0, costUSD: cost), node: 1)
    }

    private func compare(_ answer: DecisionAnswer, _ expected: DecisionAnswer, step: Int) throws {
        #expect(answer.outcome == expected.outcome, "step \(step): \(answer.reason)")
        #expect(answer.approvalID == expected.approvalID, "step \(step)")
        #expect(answer.replayed == expected.replayed, "step \(step)")
        #expect(answer.decisionID == expected.decisionID, "step \(step)")
        #expect(answer.budget?.requests == expected.budget?.requests, "step \(step)")
        #expect(answer.budget?.microdollars == expected.budget?.microdollars, "step \(step)")
        #expect(answer.costMicrodollars == expected.costMicrodollars, "step \(step)")
        #expect(answer.policyVersion == expected.policyVersion, "step \(step)")
    }

    /// Spent ≤ limit for every agent on every day stored.
    private func checkBudgets(_ h: Harness) throws {
        for agent in Self.agents {
            // Past days (and layout 1's today) in `l/`; key layout 2's today in the agent's row.
            let rows = try h.storage.scan(
                prefix: StateKeys.ledgerPrefix + Array(agent.utf8) + [0], after: nil, limit: 1000
            ).map { (bytes: $0.value, offset: 1) }
            let agentRow = try h.storage.value(for: StateKeys.agentRow(agent)).map { (bytes: $0, offset: 21) }
            for row in rows + (agentRow.map { [$0] } ?? []) {
                let requests = StateKeysTestAccess.u64(row.bytes, at: row.offset)
                let micro = StateKeysTestAccess.u64(row.bytes, at: row.offset + 8)
                #expect(requests <= 12 && micro <= 3_000_000, "agent \(agent) overspent: \(requests), \(micro)")
            }
        }
    }
}

enum StateKeysTestAccess {
    static func u64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
