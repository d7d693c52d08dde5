import JSON
import SandboxState
import TestSupport
import Testing

@testable import SandboxServer

/// The decision's answer written field by field is byte for byte the sorted serialization of
/// the same answer built as a `JSONValue` object (how it was built before).
@Suite struct DecisionResponseTests {
    /// The reference: the answer as an object, serialized with sorted keys.
    func reference(_ answer: DecisionAnswer) -> String {
        var body: [String: JSONValue] = [
            "decision": .string(answer.outcome.rawValue), "reason": .string(answer.reason),
            "rule": .string(answer.rule), "decision_id": JSONResponses.number(answer.decisionID),
            "request_id": .string(answer.requestID),
            "policy_version": JSONResponses.number(UInt64(answer.policyVersion)), "replayed": .bool(answer.replayed),
        ]
        if let approval = answer.approvalID { body["approval_id"] = JSONResponses.number(approval) }
        if let budget = answer.budget {
            var fields: [String: JSONValue] = [
                "requests_today": JSONResponses.number(budget.requests),
                "spent_usd": JSONResponses.dollars(budget.microdollars),
            ]
            if let left = budget.requestsLeft { fields["requests_left"] = JSONResponses.number(left) }
            if let left = budget.microdollarsLeft { fields["left_usd"] = JSONResponses.dollars(left) }
            body["budget"] = .object(fields)
        }
        return JSONValue.object(body).serialized() + "\n"
    }

    @Test func theWrittenAnswerIsTheSortedObject() {
        var random = SeededGenerator(seed: 11)
        let texts = ["", "ok", "quote \" and \\ back", "tab\t", "é😀", "ctl\u{1}", "allowed by rule `crm.read`"]
        var budgets = 0
        for _ in 0..<2000 {
            let budget =
                random.chance(70)
                ? BudgetStatus(
                    day: UInt32(random.below(30_000)), requests: random.next() >> random.below(64),
                    maxRequests: random.chance(50) ? random.next() >> random.below(64) : nil,
                    microdollars: random.next() >> random.below(64),
                    maxMicrodollars: random.chance(50) ? random.next() >> random.below(64) : nil) : nil
            if budget != nil { budgets += 1 }
            let answer = DecisionAnswer(
                requestID: random.pick(texts + ["r-\(random.below(1000))"]), agent: "agent-1",
                outcome: random.pick([.allow, .deny, .needsApproval]), reason: random.pick(texts),
                rule: random.pick(texts), decisionID: random.next() >> random.below(64),
                approvalID: random.chance(30) ? random.next() >> random.below(64) : nil, budget: budget,
                policyVersion: UInt32(truncatingIfNeeded: random.next() >> random.below(64)), shadow: nil,
                costMicrodollars: 1000, timeMillis: 0, replayed: random.chance(20))
            let written = JSONResponses.decisionText(answer)
            #expect(written == reference(answer))
            #expect((try? JSONValue(parsing: Array(written.utf8), maxDepth: 8, maxBytes: 1 << 20)) != nil)
        }
        #expect(budgets > 1000)
    }

    @Test func dollarsAreWrittenAsTheirCanonicalNumber() {
        var random = SeededGenerator(seed: 12)
        var values: [UInt64] = [
            0, 1, 9, 10, 100_000, 120_000, 999_999, 1_000_000, 1_000_001, 1_500_000, 10_000_000, 100_000_010,
            UInt64.max, UInt64.max - 999_999,
        ]
        for _ in 0..<5000 { values.append(random.next() >> random.below(64)) }
        for value in values {
            #expect(JSONResponses.dollarsText(value) == JSONResponses.dollars(value).serialized(), "\(value)")
        }
        #expect(JSONResponses.dollarsText(120_000) == "0.12")
        #expect(JSONResponses.dollarsText(3_000_000) == "3")
    }
}
