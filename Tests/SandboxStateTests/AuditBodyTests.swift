import JSON
import TestSupport
import Testing

@testable import SandboxState

/// The decision record written member by member (the hot path) is byte for byte the canonical
/// JSON of the same record built as a dictionary.
@Suite struct AuditBodyTests {
    func randomAnswer(_ random: inout SeededGenerator) -> DecisionAnswer {
        let texts = ["", "ok", "quote \" and \\ back", "tab\t", "é😀", "ctl\u{1}"]
        return DecisionAnswer(
            requestID: "r-\(random.below(1000))", agent: random.pick(texts + ["agent-1"]),
            outcome: random.pick([.allow, .deny, .needsApproval]), reason: random.pick(texts),
            rule: random.pick(texts), decisionID: 0, approvalID: random.chance(50) ? random.next() >> 1 : nil,
            budget: random.chance(70)
                ? BudgetStatus(
                    day: UInt32(random.below(30_000)), requests: random.next() >> 2,
                    maxRequests: random.chance(50) ? random.next() >> 2 : nil, microdollars: random.next() >> 2,
                    maxMicrodollars: random.chance(50) ? random.next() >> 2 : nil) : nil,
            policyVersion: UInt32(random.below(100)),
            shadow: random.chance(30)
                ? DecisionAnswer.ShadowResult(
                    version: UInt32(random.below(9)), outcome: .deny, rule: random.pick(texts)) : nil,
            costMicrodollars: random.next() >> 3, timeMillis: 0, replayed: false)
    }

    func randomRequest(_ random: inout SeededGenerator) -> DecisionRequest {
        if random.chance(50) {
            return .http(
                method: random.pick(["GET", "POST"]), url: "https://example.com/a?b=\(random.below(9))",
                bodyBytes: random.chance(50) ? random.next() >> 1 : nil,
                chainDepth: random.chance(50) ? UInt32(random.below(9)) : nil)
        }
        var parameters = CanonicalJSONTests.randomValue(&random)
        if case .object = parameters {} else { parameters = ["value": parameters] }
        return .tool(
            name: "crm.read", parameters: parameters, chainDepth: UInt32(random.below(5)),
            costUSD: random.chance(50) ? JSONNumber(literal: random.pick(["0.001", "2", "0.25"])) : nil)
    }

    @Test func directBodyEqualsTheDictionaryBody() {
        var random = SeededGenerator(seed: 11)
        for _ in 0..<1_000 {
            let answer = randomAnswer(&random)
            let request = randomRequest(&random)
            let (sequence, time, node) = (random.next() >> 1, random.next() >> 1, random.next() >> 1)
            var fields = answer.auditFields
            fields["node"] = .integer(node)
            fields["tenant"] = .string("tenant-1")
            fields["request"] = request.auditValue(redactedBy: nil)
            fields["seq"] = .integer(sequence)
            fields["time_ms"] = .integer(time)
            fields["kind"] = .string("decision")
            var w = CanonicalObjectWriter()
            answer.writeAuditMembers(to: &w, sequence: sequence, timeMillis: time, node: node, tenant: "tenant-1") {
                request.writeAudit(to: &$0, redactedBy: nil)
            }
            #expect(w.finish() == CanonicalJSON.encode(.object(fields)), "\(answer) \(request)")
        }
    }
}
